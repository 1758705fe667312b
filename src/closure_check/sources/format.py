"""The one place that decides, from a file's name, how its text is decoded."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

from .json import decode_json
from .yaml import decode_yaml

Format = Literal["json", "yaml", "jsonl"]

#: What a record file's name ends with, and how its text is read.
_BY_SUFFIX: Final[dict[str, Format]] = {
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".jsonl": "jsonl",
}
RECORD_SUFFIXES: Final = frozenset(_BY_SUFFIX)


def format_of(path: Path | str) -> Format | None:
    """How a record file is read, by its name (in any case); None for a file that is not a
    record file (a README in a folder of records)."""
    return _BY_SUFFIX.get(Path(path).suffix.lower())


def decode(text: str, *, source: str, fmt: Format, line: int | None = None) -> object:
    """One record's text as plain data: YAML, or JSON (a file's, or one line of JSON Lines)."""
    if fmt == "yaml":
        return decode_yaml(text, source=source)
    return decode_json(text, source=source, line=line)
