"""Spools: what the audit's outputs need, on disk in a private temporary folder until they are
written, so that memory does not grow with the number of records."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from ..output import plain_json_at

_FRAME_END: Final = "\x1e"  # ends each JSON text in a raw spool; JSON text never holds it bare
_BLOCK: Final = 1 << 20  # how much of a spool (or of a baseline) is read at a time


class _Spool(Sequence[Any]):
    """Items appended to a file in a private temporary folder as they arrive, and read back one
    at a time, as often as needed: the audit's outputs are written from these, so that its memory
    does not grow with the number of records. Each item is kept as the JSON text the audit's
    JSON holds it as, an item of a list (the JSON output only copies it), and ended by the
    character 0x1e, which JSON text never holds unescaped. A raw spool is given that text
    (a failing record's report, written by the worker); another spool writes it itself."""

    def __init__(self, path: Path, *, raw: bool = False) -> None:
        self._path = path
        self._raw = raw
        # surrogatepass: a file name that is not UTF-8 goes through as Python holds it
        self._file = open(path, "x", encoding="utf-8", errors="surrogatepass", newline="")  # noqa: SIM115
        self._count = 0

    def append(self, item: Any) -> None:
        """Add one value (a raw spool: its JSON text)."""
        self._file.write((item if self._raw else plain_json_at(item, 2)) + _FRAME_END)
        self._count += 1

    def texts(self) -> Iterator[str]:
        """Each item as the JSON text it was written as, in order."""
        self._file.flush()
        with open(self._path, encoding="utf-8", errors="surrogatepass", newline="") as f:
            rest = ""
            while block := f.read(_BLOCK):
                parts = (rest + block).split(_FRAME_END)
                rest = parts.pop()
                yield from parts

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
        self._spools: list[_Spool] = []
        self._finalizer = weakref.finalize(self, _remove_spools, self.path, self._spools)

    def spool(self, name: str, *, raw: bool = False) -> _Spool:
        spool = _Spool(self.path / f"{name}.spool", raw=raw)
        self._spools.append(spool)
        return spool

    def close(self) -> None:
        self._finalizer()


def _remove_spools(path: Path, spools: list[_Spool]) -> None:
    for spool in spools:
        with contextlib.suppress(OSError):
            spool.close()
    shutil.rmtree(path, ignore_errors=True)
