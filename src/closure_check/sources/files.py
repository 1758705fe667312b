"""Reading input files: bounded (a file larger than any record, or a device that never ends, is
refused unread), regular files only, UTF-8 with or without a byte-order mark, and every failure
told in plain words naming the file (and the line, for bytes that are not UTF-8)."""

from __future__ import annotations

import hashlib
import os
import pathlib
import stat

from ..errors import InputError, Problem

__all__ = [
    "MAX_RECORD_BYTES",
    "cannot_read",
    "decode_utf8",
    "is_regular_or_absent",
    "read_bytes",
    "read_text",
    "read_text_and_digest",
    "too_large",
    "utf8_problem",
]

_UTF8_BOM = b"\xef\xbb\xbf"

#: The largest record file read. A real record is a few kilobytes; a 1 MB note is fine; a file
#: of hundreds of megabytes, or a device that never ends, is refused before it is read.
MAX_RECORD_BYTES = 16 * 1024 * 1024


def cannot_read(source: str, exc: OSError) -> Problem:
    """A file that could not be opened or read, in plain words."""
    reason = exc.strerror or str(exc)
    if isinstance(exc, IsADirectoryError):
        reason = "it is a folder, not a file"
    return Problem(source, None, "", f"cannot be read: {reason}", "unreadable")


def utf8_problem(
    raw: bytes, exc: UnicodeDecodeError, source: str, line: int | None = None
) -> Problem:
    """Bytes that are not UTF-8, in plain words: on `line`, or on the line counted from `raw`."""
    if line is None:
        line = raw.count(b"\n", 0, exc.start) + 1
    message = (
        f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read): save it as UTF-8 "
        "and try again"
    )
    return Problem(source, line, "", message, "not_utf8")


def decode_utf8(raw: bytes, source: str, line: int | None = None) -> str:
    """Bytes as UTF-8 text, a byte-order mark dropped; InputError naming the line if not."""
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([utf8_problem(raw, exc, source, line)]) from None


def too_large(what: str = "a record", size: int | None = None) -> str:
    """The one wording of an input too large to be read as `what` ("a record", "a rule file"):
    a file's, a JSON Lines line's (sources.discover) and standard input's (`check -`); with
    its `size` when it is known (a file's, before it is read) and says more than that it is
    over the limit: "(20 MB; a record may be at most 16 MB)", never "16 MB" or "more than 16 MB"."""
    mb = 1024 * 1024
    limit = MAX_RECORD_BYTES // mb
    shown = ""
    if size is not None and round(size / mb) > limit:
        shown = f"{size / mb:.0f} MB; "
    return f"is too large to be {what} ({shown}{what} may be at most {limit} MB)"


def is_regular_or_absent(path: pathlib.Path) -> bool:
    """Whether `path` may be written as a file: it is one, or nothing is there yet. A device, a
    folder or a pipe (such as /dev/null) must never be replaced by a file."""
    return not path.exists() or path.is_file()


def read_bytes(path: pathlib.Path, what: str = "a record") -> bytes:
    """A file's bytes, refused unread when it is not a regular file or is too large to be
    `what` ("a record", "a rule file")."""
    source = str(path)
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise InputError(
                    [Problem(source, None, "", "cannot be read: it is not a file", "unreadable")]
                )
            if st.st_size > MAX_RECORD_BYTES:
                raise InputError(
                    [Problem(source, None, "", too_large(what, st.st_size), "too_large")]
                )
            raw = f.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        raise InputError([cannot_read(source, exc)]) from None
    if len(raw) > MAX_RECORD_BYTES:  # it grew while being read
        raise InputError([Problem(source, None, "", too_large(what, len(raw)), "too_large")])
    return raw


def read_text(path: pathlib.Path, what: str = "a record") -> str:
    """A file's text, UTF-8 with or without a byte-order mark; InputError naming the file."""
    return decode_utf8(read_bytes(path, what), str(path))


def read_text_and_digest(path: pathlib.Path) -> tuple[str, str]:
    """A file's text (UTF-8, with or without a byte-order mark) and the SHA-256 of its bytes, so
    a report names exactly the bytes that were checked. InputError naming the file."""
    raw = read_bytes(path)
    return decode_utf8(raw, str(path)), hashlib.sha256(raw).hexdigest()
