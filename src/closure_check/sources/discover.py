"""Finding record files and the records in them, in a stable order: the paths as given, a
folder's record files in name order, then its subfolders likewise, and a JSON Lines file line by
line. Only what is found is said here; reading and checking each record is left to the caller.
The audit finds its records in pieces (`pieces_in`: runs of files, ranges of a JSON Lines file's
lines, found by looking for line ends alone) and each worker process reads its own: a file
whole, a piece's lines with `lines_of`, each line's problems (too long, not UTF-8) as Refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from ..errors import Problem
from .files import MAX_RECORD_BYTES, cannot_read, too_large, utf8_problem
from .format import Format, format_of

__all__ = [
    "PIECE",
    "Files",
    "Found",
    "Lines",
    "Refused",
    "jsonl_lines",
    "lines_of",
    "pieces_in",
    "record_files",
]

_BLOCK: Final = 1 << 20  # how much of a line too long to be a record is read past at a time
_BOM: Final = "\ufeff"

_LINE_TOO_LONG: Final = too_large() + ": this line was passed over without being read"


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


def jsonl_lines(file: BinaryIO, limit: int | None = None) -> Iterator[bytes | None]:
    """A JSON Lines file's lines, each read only up to `limit` bytes, the largest record there
    can be (None for a longer line, whose rest is read past in blocks): one line that never ends
    must not be held whole."""
    limit = MAX_RECORD_BYTES if limit is None else limit
    while raw := file.readline(limit + 1):
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield raw
            continue
        while (more := file.readline(_BLOCK)) and not more.endswith(b"\n"):
            pass
        yield None


def _line(source: str, number: int, raw: bytes | None) -> Found | Refused | None:
    """One line of a JSON Lines file as a record to read, Refused when it is too long or not
    UTF-8, None when it is blank (blank lines are skipped); a byte-order mark on line 1 is
    dropped."""
    if raw is None:  # a line too long to be a record, passed over unread
        return Refused(source, number, Problem(source, number, "", _LINE_TOO_LONG))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Refused(source, number, utf8_problem(raw, exc, source, number))
    if number == 1 and text.startswith(_BOM):
        text = text[1:]
    return Found(source, number, text, "jsonl") if text.strip() else None


# -- records in pieces: found by one process, read by another ----------------------------------

#: the most records in one piece (`Files`, `Lines`), and how many bytes of lines a piece takes
#: at most before it ends, at the end of a line
PIECE: Final = 64
_PIECE_BYTES: Final = 1 << 20


@dataclass(frozen=True)
class Files:
    """A run of record files in input order, one record each, to be read by whoever checks
    them: each file's path and how its text is decoded."""

    files: tuple[tuple[str, Format], ...]

    @property
    def count(self) -> int:
        return len(self.files)


@dataclass(frozen=True)
class Lines:
    """`count` consecutive lines of a JSON Lines file, from the line numbered `first`, found
    without reading them (`lines_of` reads them): the line numbered `start_line` begins at byte
    `start`, and the lines from there to `first` are read past (a piece cut in two after a
    crash keeps its start). No line is read past `limit` bytes."""

    source: str
    start: int
    start_line: int
    first: int
    count: int
    limit: int = MAX_RECORD_BYTES
    #: the file's size and modification time when it was cut: read later, it must be the same
    stamp: tuple[int, int] = (-1, -1)


class Changed(OSError):
    """A JSON Lines file is not the file its pieces were cut from (`Lines.stamp`)."""


def pieces_in(
    paths: Sequence[Path], skip: frozenset[str] = frozenset(), size: int = PIECE
) -> Iterator[Files | Lines | Refused]:
    """Every record in `paths`, in input order (see `record_files`), in pieces of at most
    `size` records, not read: runs of record files, and ranges of a JSON Lines file's lines
    found by looking for line ends only (no line is decoded here, so that a worker process reads
    and decodes its own: `lines_of`). What cannot be read at all (a folder or file that cannot
    be opened) comes as Refused, between the pieces."""
    run: list[tuple[str, Format]] = []
    for source, error in record_files(paths, skip):
        fmt = format_of(source) if error is None else None
        if fmt != "jsonl" and error is None:
            run.append((source, fmt or "json"))
            if len(run) == size:
                yield Files(tuple(run))
                run = []
            continue
        if run:
            yield Files(tuple(run))
            run = []
        if error is not None:
            yield Refused(source, None, cannot_read(source, error), unreadable=True)
            continue
        try:
            with open(source, "rb") as file:
                yield from _cut(file, source, size)
        except OSError as exc:
            yield Refused(source, None, cannot_read(source, exc), unreadable=True)
    if run:
        yield Files(tuple(run))


def _cut(file: BinaryIO, source: str, size: int) -> Iterator[Lines]:
    """A JSON Lines file cut into pieces of `size` lines (fewer where a piece would pass
    `_PIECE_BYTES`), read in large blocks in which only line ends are looked for. A read that
    fails ends the file: the complete lines before it are given, then the OSError."""
    limit = MAX_RECORD_BYTES  # read now: a test may lower it
    st = os.fstat(file.fileno())
    stamp = (st.st_size, st.st_mtime_ns)
    offset = start = ended = 0  # where the block, the piece and the last line end are
    first = 1  # the number of the piece's first line
    n = 0  # lines in the piece so far
    try:
        while block := file.read(_BLOCK):
            find = block.find
            at = 0
            while (end := find(b"\n", at)) >= 0:
                at = end + 1
                n += 1
                if n == size or offset + at - start >= _PIECE_BYTES:
                    yield Lines(source, start, first, first, n, limit, stamp)
                    start, first, n = offset + at, first + n, 0
            ended = offset + at if at else ended
            offset += len(block)
    except OSError:
        if n:
            yield Lines(source, start, first, first, n, limit, stamp)
        raise
    if offset > ended:  # the last line, without a line end
        n += 1
    if n:
        yield Lines(source, start, first, first, n, limit, stamp)


def lines_of(piece: Lines) -> Iterator[tuple[int, Found | Refused | None]]:
    """The piece's lines, read from its file and decoded (see `_line`): each line's number
    and the record to read, Refused, or None for a blank line. OSError if the file cannot be
    read, Changed if it is not the file the piece was cut from (written to since: its lines
    are no longer where they were found)."""
    end = piece.first + piece.count
    with open(piece.source, "rb") as file:
        st = os.fstat(file.fileno())
        if piece.stamp != (-1, -1) and (st.st_size, st.st_mtime_ns) != piece.stamp:
            raise Changed(piece.source)
        file.seek(piece.start)
        number = piece.start_line
        for raw in jsonl_lines(file, piece.limit):
            if number >= piece.first:
                yield number, _line(piece.source, number, raw)
            number += 1
            if number >= end:
                return
