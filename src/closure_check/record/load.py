"""A record from a file or from text: read (sources), decoded by the file's kind, validated."""

from __future__ import annotations

import datetime
import pathlib

from ..sources import decode, format_of, read_text
from .model import Record
from .validate import parse_record

__all__ = ["load_record", "record_from_text"]


def record_from_text(
    text: str, *, source: str, as_of: datetime.date, yaml_text: bool = False
) -> Record:
    """A record from the text of a JSON file, or of a YAML file when `yaml_text`."""
    data = decode(text, source=source, fmt="yaml" if yaml_text else "json")
    return parse_record(data, source=source, as_of=as_of)


def is_yaml_path(path: pathlib.Path) -> bool:
    """Whether a record file is read as YAML (by its name; anything else is read as JSON)."""
    return format_of(path) == "yaml"


def load_record(path: pathlib.Path, *, as_of: datetime.date) -> Record:
    """Read a .json, .yaml or .yml file (decided by its name; anything else is tried as JSON),
    then decode and validate it. InputError names the file, the line and the field."""
    return record_from_text(
        read_text(path), source=str(path), as_of=as_of, yaml_text=is_yaml_path(path)
    )
