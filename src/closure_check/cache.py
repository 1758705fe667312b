"""A small cache on disk, in the user's own cache folder, of what is slow to build and is always
the same for the same inputs: the compiled rules of a rules folder, the bank holidays of a year.
It only saves time. Every failure is silent (a cache that cannot be read or written is as if it
were empty), and everything is then built as it would be without it.

The folder is `$XDG_CACHE_HOME/closure-check` (default `~/.cache/closure-check`), made readable
by its owner only; `CLOSURE_CHECK_CACHE=off` turns the cache off. A file is used only if this
user owns it and nobody else can write to it or to its folder: what is read back is trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["code_fingerprint", "private_folder", "read", "write"]


def _folder() -> Path | None:
    if os.environ.get("CLOSURE_CHECK_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    return Path(base) / "closure-check"


def _private(st: os.stat_result) -> bool:
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def private_folder(name: str) -> Path | None:
    """A folder of the cache, made if need be, only if it is this user's own and nobody
    else can write to it (or to the cache): for a library that keeps its own files there."""
    folder = _folder()
    if folder is None:
        return None
    sub = folder / name
    try:
        sub.mkdir(mode=0o700, parents=True, exist_ok=True)
        if _private(os.stat(folder)) and _private(os.lstat(sub)) and sub.is_dir():
            return sub
    except OSError:
        pass
    return None


def read(name: str) -> bytes | None:
    """The cached bytes named `name`, or None."""
    folder = _folder()
    if folder is None:
        return None
    try:
        fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            if not (_private(os.fstat(f.fileno())) and _private(os.stat(folder))):
                return None
            return f.read()
    except OSError:
        return None


#: How many entries with the same prefix are kept (a policy team's drafts each make one).
KEEP = 16


def write(name: str, data: bytes, *, prune: str = "") -> None:
    """Cache `data` as `name`, atomically; quietly nothing when that is not possible. With
    `prune`, only the `KEEP` newest entries whose names start with it are kept."""
    folder = _folder()
    if folder is None:
        return
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.stat(folder)):
            return
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, folder / name)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        if prune:
            entries = [e for e in os.scandir(folder) if e.name.startswith(prune)]
            entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
            for old in entries[KEEP:]:
                os.unlink(old.path)


def code_fingerprint() -> str:
    """Identifies closure-check's own code, so that a cache entry is never read by other code
    (an editable install changes without its version changing): the size and modification time
    of every module of the package and of its subpackages."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    with contextlib.suppress(OSError):
        for folder, subfolders, files in os.walk(here):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(f for f in files if f.endswith(".py")):
                st = os.stat(os.path.join(folder, name))
                where = os.path.relpath(os.path.join(folder, name), here)
                h.update(f"{where}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()
