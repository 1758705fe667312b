"""Finding record files and the records in them, in a stable order: the paths as given, a
folder's record files in name order, then its subfolders likewise, and a JSON Lines file line by
line. Only what is found is said here; reading and checking each record is left to the caller
(the audit hands a whole file to a worker process to read, and a JSON Lines line's text)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from ..errors import Problem
from .files import MAX_RECORD_BYTES, cannot_read, utf8_problem
from .format import Format, format_of

__all__ = ["Found", "Refused", "jsonl_lines", "record_files", "records_in"]

_BLOCK: Final = 1 << 20  # how much of a line too long to be a record is read past at a time
_BOM: Final = "\ufeff"

_LINE_TOO_LONG: Final = (
    f"is too large to be a record (a record may be at most {MAX_RECORD_BYTES // (1 << 20)} MB): "
    "this line was passed over without being read"
)


@dataclass(frozen=True)
class Found:
    """One record to read: a whole file (`text` None: whoever checks it reads it) or one line
    of a JSON Lines file, its text read already."""

    source: str
    line: int | None
    text: str | None
    #: how its text is decoded: by the file's name; a path given that is not named as a record
    #: file is read as JSON
    fmt: Format


@dataclass(frozen=True)
class Refused:
    """What was found but cannot be read as a record at all: a file or folder that cannot be
    read (`unreadable`), a JSON Lines line that is not UTF-8 or is too long to be a record."""

    source: str
    line: int | None
    problem: Problem
    unreadable: bool = False


def record_files(
    paths: Sequence[Path], skip: frozenset[str] = frozenset()
) -> Iterator[tuple[str, OSError | None]]:
    """Every file to read, in a stable order: the paths as given; inside a folder, its record
    files sorted by name, then its subfolders likewise (hidden names and files that are not
    record files skipped, symbolic links to folders not followed). `skip` holds real paths
    never to read (the outputs being written, say). A path that cannot be listed or read comes
    with its error."""

    def walk(folder: Path) -> Iterator[tuple[str, OSError | None]]:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            yield str(folder), exc
            return
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            path = folder / entry.name
            if is_folder:
                subfolders.append(path)
            elif format_of(path) is not None and not _skipped(path, skip):
                yield str(path), None
        for sub in subfolders:
            yield from walk(sub)

    for path in paths:
        if path.is_dir():
            yield from walk(path)
        else:
            yield str(path), None


def _skipped(path: Path, skip: frozenset[str]) -> bool:
    return bool(skip) and os.path.realpath(path) in skip


def jsonl_lines(file: BinaryIO) -> Iterator[bytes | None]:
    """A JSON Lines file's lines, each read only up to the largest record there can be (None
    for a longer line, whose rest is read past in blocks): one line that never ends must not be
    held whole."""
    while raw := file.readline(MAX_RECORD_BYTES + 1):
        if len(raw) <= MAX_RECORD_BYTES or raw.endswith(b"\n"):
            yield raw
            continue
        while (more := file.readline(_BLOCK)) and not more.endswith(b"\n"):
            pass
        yield None


def records_in(
    paths: Sequence[Path], skip: frozenset[str] = frozenset()
) -> Iterator[Found | Refused]:
    """Every record in `paths`, in input order (see `record_files`): a JSON Lines file one per
    line (blank lines skipped), any other file one record. What cannot be read before its text
    is looked at (a file that cannot be opened, a line that is not UTF-8) comes as Refused."""
    for source, error in record_files(paths, skip):
        if error is not None:
            yield Refused(source, None, cannot_read(source, error), unreadable=True)
            continue
        fmt = format_of(source)
        if fmt != "jsonl":
            yield Found(source, None, None, fmt or "json")
            continue
        try:
            with open(source, "rb") as lines:
                for number, raw in enumerate(jsonl_lines(lines), start=1):
                    if raw is None:  # a line too long to be a record, passed over unread
                        yield Refused(source, number, Problem(source, number, "", _LINE_TOO_LONG))
                        continue
                    try:
                        text = raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        yield Refused(source, number, utf8_problem(raw, exc, source, number))
                        continue
                    if number == 1 and text.startswith(_BOM):
                        text = text[1:]
                    if text.strip():
                        yield Found(source, number, text, "jsonl")
        except OSError as exc:
            yield Refused(source, None, cannot_read(source, exc), unreadable=True)
