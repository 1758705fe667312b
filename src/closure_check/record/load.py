"""A record from a file or from text: read (sources), decoded by the file's kind, validated."""

from __future__ import annotations

import datetime
import pathlib
from collections.abc import Collection

from ..sources import Format, decode, format_of, read_text
from .model import Record
from .validate import parse_record

__all__ = ["file_format", "load_record", "record_from_text"]


def file_format(path: pathlib.Path) -> Format:
    """How a record file is decoded, by its name: YAML for .yaml and .yml, JSON otherwise."""
    return "yaml" if format_of(path) == "yaml" else "json"


def record_from_text(
    text: str,
    *,
    source: str,
    as_of: datetime.date,
    fmt: Format = "json",
    rule_ids: Collection[str] | None = None,
) -> Record:
    """A record from the text of a JSON file, or of a YAML file when `fmt` is "yaml". With
    `rule_ids`, a judgement naming a rule not among them is an input error."""
    data = decode(text, source=source, fmt=fmt)
    return parse_record(data, source=source, as_of=as_of, rule_ids=rule_ids, text=text, fmt=fmt)


def load_record(path: pathlib.Path, *, as_of: datetime.date) -> Record:
    """Read a .json, .yaml or .yml file (decided by its name; anything else is tried as JSON),
    then decode and validate it. InputError names the file, the line and the field."""
    return record_from_text(read_text(path), source=str(path), as_of=as_of, fmt=file_format(path))
