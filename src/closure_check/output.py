"""Writing report files fit for a case file: all or nothing, readable by the owner only; and
JSON text written piece by piece, exactly as one `json.dumps(..., indent=2)` of the whole."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import IO, Any, Final

from pydantic_core import PydanticSerializationError, to_json

from .errors import InputError, Problem
from .sources.files import is_regular_or_absent

__all__ = [
    "csp_hash",
    "json_at",
    "plain_json_at",
    "spreadsheet_cell",
    "write_private",
    "write_private_bytes",
]


def write_private(path: Path, text: str | Iterable[str]) -> None:
    """Write `text` (one string, or an iterable of pieces written one after another, so that a
    large report never has to be held whole) to `path` atomically with permissions 0600: a crash,
    or an error while the pieces are made, leaves the old file (or none), never half a report."""

    def fill(f: IO[bytes]) -> None:
        for piece in [text] if isinstance(text, str) else text:
            f.write(piece.encode("utf-8"))

    write_private_bytes(path, fill)


def write_private_bytes(path: Path, fill: Callable[[IO[bytes]], None]) -> None:
    """`fill` writes the file (a workbook, say) into a new file that then replaces `path`
    whole, readable by its owner only (0600); never a device, a folder or a pipe."""
    path = Path(path)
    if not is_regular_or_absent(path):
        raise InputError([Problem(str(path), None, "", "is not a regular file; not written")])
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise InputError([Problem(str(path), None, "", f"cannot write here: {e.strerror}")]) from e
    try:
        with os.fdopen(fd, "wb") as f:
            fill(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------------------------
# JSON, indented, in pieces
# ---------------------------------------------------------------------------------------------

_SCALAR: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False).encode
_STRING: Callable[[str], str] = json.encoder.encode_basestring
_CONTAINERS = (dict, list, tuple)


@cache
def _flat(level: int) -> Callable[[Any], str]:
    """An encoder for a dict or list of plain values at nesting `level`: json's C encoder (what
    `json.dumps` uses when there is no `indent`), made once, with the item separator carrying the
    line break and the indentation that `indent=2` would write between the items."""
    separators = (",\n" + "  " * (level + 1), ": ")
    encoder = json.JSONEncoder(ensure_ascii=False, separators=separators)
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    if make is None:  # pragma: no cover - CPython always has it
        return encoder.encode
    chunks = make(None, encoder.default, _STRING, None, ": ", separators[0], False, False, True)
    return lambda value: "".join(chunks(value, 0))


def json_at(value: Any, level: int = 0) -> str:
    """`value` as `json.dumps(value, indent=2, ensure_ascii=False)` writes it when it sits
    `level` containers deep in a larger document: the same text, character for character, with
    its inner lines indented to that depth. Much faster than json's own indenting encoder, which
    is written in Python: containers whose items are all plain values go to the C encoder, and
    text to json's C string encoder."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + "  " * (level + 1)
        close = "\n" + "  " * level + "}"
        if not any(isinstance(v, _CONTAINERS) for v in value.values()):
            return "{" + inner + _flat(level)(value)[1:-1] + close
        if not all(isinstance(k, str) for k in value):  # json's own rules for other keys
            return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", close[:-1])
        items = []
        for k, v in value.items():
            if isinstance(v, str):
                items.append(f"{_STRING(k)}: {_STRING(v)}")
            elif isinstance(v, _CONTAINERS):
                items.append(f"{_STRING(k)}: {json_at(v, level + 1)}")
            else:
                items.append(f"{_STRING(k)}: {_SCALAR(v)}")
        return "{" + inner + ("," + inner).join(items) + close
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = "\n" + "  " * (level + 1)
        close = "\n" + "  " * level + "]"
        if not any(isinstance(v, _CONTAINERS) for v in value):
            return "[" + inner + _flat(level)(list(value))[1:-1] + close
        return "[" + inner + ("," + inner).join([json_at(v, level + 1) for v in value]) + close
    if isinstance(value, str):
        return _STRING(value)
    return _SCALAR(value)


#: a number in exponent form, as pydantic-core writes it (`1e-7`, `1e16`) where Python's own
#: json writes `1e-07` and `1e+16`
_EXPONENT = re.compile(r"[0-9]e[-0-9]")


def plain_json_at(value: dict[str, Any] | list[Any], level: int = 0, *, floats: bool = True) -> str:
    """`json_at` for what reports, exception rows and errors are made of: text, numbers,
    booleans, None, lists and dicts keyed by text. For those, pydantic-core's JSON writer (in
    Rust) writes, with `indent=2`, what `json.dumps(..., indent=2, ensure_ascii=False)` writes
    (tests/test_fast_paths.py compares them), three times as fast as `json_at`, except numbers in
    exponent form: where its text may hold one (or text it refuses, a lone surrogate from a
    `\\ud800` escape in a record), `json_at` writes it instead.

    `floats=False` is the caller's word that `value` holds no float at all (only text, whole
    numbers, booleans and None in its lists and dicts: what the audit writes, a report, an
    exception row, an invalid record's entry), so that its text cannot hold a number in
    exponent form and is not searched for one (that search was 30% of the worker's work on a
    record's outcome)."""
    try:
        text = to_json(value, indent=2).decode("utf-8")
    except PydanticSerializationError:
        return json_at(value, level)
    if floats and _EXPONENT.search(text):
        return json_at(value, level)
    return text.replace("\n", "\n" + "  " * level) if level else text


# ---------------------------------------------------------------------------------------------
# Spreadsheet cells and inline scripts, for every export
# ---------------------------------------------------------------------------------------------

_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A spreadsheet must show a cell, never run it: text that a spreadsheet would read as a
    formula gets a leading single quote; None is an empty cell."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csp_hash(text: object) -> str:
    """The Content-Security-Policy source for an inline script or style with this text."""
    digest = hashlib.sha256(str(text).encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")
