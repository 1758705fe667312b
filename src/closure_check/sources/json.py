"""JSON records: decoded with duplicate keys, NaN and Infinity and broken characters refused,
and syntax errors told in plain words with their line and column."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any, NoReturn

from ..errors import InputError, Problem

__all__ = ["broken_text", "decode_json", "walk"]

_JSON_SYNTAX = {
    "Expecting value": "a value was expected here (text in double quotes, a number, true, "
    "false, null, a list [...] or a group of fields {...})",
    "Expecting ',' delimiter": "a comma (,) or a closing bracket is missing",
    "Expecting ':' delimiter": "a colon (:) is missing after a field name",
    "Expecting property name enclosed in double quotes": "a field name in double quotes was "
    "expected (is there a comma after the last field, or a name without quotes?)",
    "Unterminated string starting at": "text that starts here has no closing double quote",
    "Extra data": "there is more after the end of the record (a file holds one record; use "
    "JSON Lines, one record per line, for several)",
    "Invalid control character at": "a line break or tab inside text must be written as \\n or \\t",
    "Invalid \\escape": "a backslash inside text must be written as \\\\",
    "Invalid \\u" + "X" * 4 + " escape": "a \\u inside text must be followed by four hex digits",
}

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _DuplicateKeys(Exception):
    pass


class _NotANumber:
    """Stands, while decoding, where JSON had NaN or Infinity, so its field can be named."""

    def __init__(self, text: str) -> None:
        self.text = text


def decode_json(text: str, *, source: str, line: int | None = None) -> object:
    """json.loads with duplicate keys rejected, NaN/Infinity rejected; InputError on bad JSON
    giving the line (and column) of the syntax error in plain words."""
    duplicated: list[tuple[dict[str, Any], list[str]]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            twice = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
            duplicated.append((out, twice))
        return out

    def fail(message: str, at: int | None = line, code: str = "syntax") -> NoReturn:
        raise InputError([Problem(source, at, "", message, code)])

    not_numbers: list[_NotANumber] = []

    def not_a_number(text: str) -> _NotANumber:
        not_numbers.append(_NotANumber(text))
        return not_numbers[-1]

    def finite_float(text: str) -> float | _NotANumber:
        value = float(text)
        return value if math.isfinite(value) else not_a_number(text)

    if not text.strip():
        fail("is empty: there is no record in it", code="empty")
    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs_hook,
            parse_constant=not_a_number,
            parse_float=finite_float,
        )
    except json.JSONDecodeError as exc:
        plain = _JSON_SYNTAX.get(exc.msg, exc.msg)
        if line is None:
            fail(f"not valid JSON (column {exc.colno}): {plain}", exc.lineno)
        where = (
            f"line {exc.lineno}, column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"
        )
        fail(f"not valid JSON ({where}): {plain}")
    except RecursionError:
        fail("is nested too deeply to be a record (lists or groups of fields inside each other)")
    except ValueError:  # an integer with more digits than Python will convert
        fail("contains a number with more digits than a record can hold")

    problems: list[Problem] = []
    if not_numbers:
        problems += [
            Problem(
                source,
                line,
                path,
                f"{value.text} is not a number a record can hold "
                "(NaN and Infinity are not allowed)",
                "not_a_number",
            )
            for path, value in walk(data)
            if isinstance(value, _NotANumber)
        ]
    if duplicated:
        paths = _paths_of(data, {id(d) for d, _ in duplicated})
        order = list(paths)  # the order in which the objects appear in the text
        duplicated.sort(key=lambda entry: order.index(id(entry[0])))
        for d, names in duplicated:
            prefix = paths.get(id(d), "")
            for name in dict.fromkeys(names):
                problems.append(
                    Problem(
                        source,
                        line,
                        f"{prefix}.{name}" if prefix else name,
                        "is given twice in the same group of fields: give each field once",
                        "duplicate_field",
                    )
                )
    if _SURROGATE_ESCAPE.search(text):
        problems.extend(broken_text(data, source, line))
    if problems:
        raise InputError(problems)
    return data


def walk(data: object) -> Iterator[tuple[str, object]]:
    """Every value in `data` with its path, without recursion (the data may be deep)."""
    stack: list[tuple[str, object]] = [("", data)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                stack.append((f"{path}.{key}" if path else str(key), item))
        elif isinstance(value, list):
            for i in range(len(value) - 1, -1, -1):
                stack.append((f"{path}[{i}]", value[i]))


def _paths_of(data: object, wanted: set[int]) -> dict[int, str]:
    return {id(value): path for path, value in walk(data) if id(value) in wanted}


def broken_text(data: object, source: str, line: int | None) -> list[Problem]:
    """Text holding half of a character (an unpaired \\ud800-\\udfff escape) cannot be printed
    in a report, so it is refused here rather than crashing later."""
    problems: list[Problem] = []
    for path, value in walk(data):
        texts: list[object] = [value]
        if isinstance(value, dict):
            texts = list(value.keys())
        for text in texts:
            if isinstance(text, str) and _SURROGATE.search(text):
                problems.append(
                    Problem(
                        source,
                        line,
                        path,
                        "contains a broken character (an unpaired \\u escape between \\ud800 "
                        "and \\udfff)",
                        "broken_character",
                    )
                )
                break
    return problems


# ---------------------------------------------------------------------------------------------
# Decoding YAML
# ---------------------------------------------------------------------------------------------
