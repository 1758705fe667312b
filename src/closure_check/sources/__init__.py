"""Where records come from: files read within bounds, and their JSON, JSON Lines or YAML text
decoded into plain data, every problem naming the file, the line and the field."""

from __future__ import annotations

from .files import (
    MAX_RECORD_BYTES,
    cannot_read,
    decode_utf8,
    is_regular_or_absent,
    read_bytes,
    read_text,
    read_text_and_digest,
    utf8_problem,
)
from .format import RECORD_SUFFIXES, Format, decode, format_of
from .json import decode_json
from .yaml import decode_yaml, line_of, load_yaml, read_yaml

__all__ = [
    "MAX_RECORD_BYTES",
    "RECORD_SUFFIXES",
    "Format",
    "cannot_read",
    "decode",
    "decode_json",
    "decode_utf8",
    "decode_yaml",
    "format_of",
    "is_regular_or_absent",
    "line_of",
    "load_yaml",
    "read_bytes",
    "read_text",
    "read_text_and_digest",
    "read_yaml",
    "utf8_problem",
]
