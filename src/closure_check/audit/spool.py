"""Spools: what the audit's outputs need, on disk in a private temporary folder until they are
written, so that memory does not grow with the number of records. The audit's workers write
their own items there, each process to its own files (`write_items`), and a spool notes where
each run of its items is, in input order (`_Spool.add`): the parent copies nothing."""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from ..output import plain_json_at

_FRAME_END: Final = "\x1e"  # ends each JSON text in a spool; JSON text never holds it bare
_BLOCK: Final = 1 << 20  # how much of a spool (or of a baseline) is read at a time

#: (file, start, end, items): a run of `items` items in bytes `start` to `end` of a file in a
#: spool folder, each item's JSON text ended by `_FRAME_END` (UTF-8, surrogates passed through)
Segment = tuple[str, int, int, int]
NO_ITEMS: Final[Segment] = ("", 0, 0, 0)

#: this process's own files in spool folders, by folder and list: [descriptor, path, size]
_writers: dict[tuple[str, str], list[Any]] = {}


def write_items(folder: str, name: str, texts: Sequence[str]) -> Segment:
    """Write items' texts (each ended by `_FRAME_END`) to this process's own file for the list
    `name` in the spool folder, in one write, and say where they are (a worker writes its own
    rows; the parent only adds the segment to its spool, in input order)."""
    if not texts:
        return NO_ITEMS
    writer = _writers.get((folder, name))
    if writer is None:
        fd, path = tempfile.mkstemp(prefix=f"{name}.", suffix=".spool", dir=folder)
        writer = _writers[(folder, name)] = [fd, path, 0]
    data = memoryview("".join(texts).encode("utf-8", "surrogatepass"))
    start = writer[2]
    writer[2] += len(data)
    while data:
        data = data[os.write(writer[0], data) :]
    return (writer[1], start, writer[2], len(texts))


def _forget(folder: str) -> None:
    """Close this process's own files in a spool folder (it is being removed)."""
    for key in [k for k in _writers if k[0] == folder]:
        with contextlib.suppress(OSError):
            os.close(_writers.pop(key)[0])


class _Spool(Sequence[Any]):
    """Items of one of the audit's lists on disk, in a private temporary folder, read back one
    at a time, as often as needed: the audit's outputs are written from these, so that its memory
    does not grow with the number of records. Each item is kept as the JSON text the audit's
    JSON holds it as, an item of a list (the JSON output only copies it), and ended by the
    character 0x1e, which JSON text never holds unescaped. Items are written by the workers
    (`add`: where a run of them is) or here (`append`, `extend`: to the spool's own file)."""

    def __init__(self, path: Path) -> None:
        self._path = str(path)
        self._file = open(path, "xb")  # noqa: SIM115 - closed with the folder
        self._size = 0  # of the spool's own file
        self._segments: list[list[Any]] = []  # [file, start, end], in order
        self._count = 0

    def append(self, item: Any) -> None:
        """Add one value."""
        self.extend(plain_json_at(item, 2) + _FRAME_END, 1)

    def extend(self, framed: str, count: int) -> None:
        """Add `count` items given as their JSON texts, each ended by `_FRAME_END` already."""
        if not count:
            return
        data = framed.encode("utf-8", "surrogatepass")
        self._file.write(data)
        self._note(self._path, self._size, self._size + len(data))
        self._size += len(data)
        self._count += count

    def add(self, segment: Segment) -> None:
        """Add the items written to a file of the folder already (`write_items`)."""
        path, start, end, count = segment
        if count:
            self._note(path, start, end)
            self._count += count

    def _note(self, path: str, start: int, end: int) -> None:
        last = self._segments[-1] if self._segments else None
        if last is not None and last[0] == path and last[2] == start:
            last[2] = end
        else:
            self._segments.append([path, start, end])

    def _blocks(self) -> Iterator[str]:
        """The items' texts, frame ends and all, in order, a block at a time."""
        self._file.flush()
        files: dict[str, Any] = {}
        try:
            for path, start, end in self._segments:
                f = files.get(path)
                if f is None:
                    f = files[path] = open(path, "rb")  # noqa: SIM115 - closed below
                f.seek(start)
                left = end - start
                decode = codecs.getincrementaldecoder("utf-8")("surrogatepass").decode
                while left > 0 and (block := f.read(min(_BLOCK, left))):
                    left -= len(block)
                    if text := decode(block, final=left <= 0):
                        yield text
        finally:
            for f in files.values():
                f.close()

    def texts(self) -> Iterator[str]:
        """Each item as the JSON text it was written as, in order."""
        rest = ""
        for block in self._blocks():
            parts = (rest + block).split(_FRAME_END)
            rest = parts.pop()
            yield from parts

    def joined(self, separator: str) -> Iterator[str]:
        """Every item's text, in order, with `separator` between them, a block at a time (for
        the JSON output: no item is looked at)."""
        held = ""  # the last block: the spool's last frame end is no separator
        for block in self._blocks():
            if held:
                yield held.replace(_FRAME_END, separator)
            held = block
        if held:
            yield held[:-1].replace(_FRAME_END, separator)

    def __iter__(self) -> Iterator[Any]:
        loads = json.loads
        for text in self.texts():
            yield loads(text)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        i = index + self._count if index < 0 else index
        if not 0 <= i < self._count:
            raise IndexError("spool index out of range")
        for n, item in enumerate(self):
            if n == i:
                return item
        raise IndexError("spool index out of range")  # pragma: no cover

    def close(self) -> None:
        self._file.close()


class _SpoolFolder:
    """A private temporary folder (mode 0700) of spools, removed with everything in it when
    `close` is called or when its owner is garbage collected, whichever comes first."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="closure-check-"))
        self._spools: list[Any] = []  # spools, and anything else to close with them
        self._finalizer = weakref.finalize(self, _remove_spools, self.path, self._spools)

    def spool(self, name: str) -> _Spool:
        spool = _Spool(self.path / f"{name}.spool")
        self._spools.append(spool)
        return spool

    def keep(self, closable: Any) -> None:
        """Close `closable` (a file of this folder, say) with the spools."""
        self._spools.append(closable)

    def close(self) -> None:
        self._finalizer()


def _remove_spools(path: Path, spools: list[Any]) -> None:
    for spool in spools:
        with contextlib.suppress(OSError):
            spool.close()
    _forget(str(path))
    shutil.rmtree(path, ignore_errors=True)
