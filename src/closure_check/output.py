"""Writing report files fit for a case file: all or nothing, readable by the owner only."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import InputError, Problem


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` atomically with permissions 0600: a crash leaves the old file (or
    none), never half a report."""
    path = Path(path)
    if path.exists() and not path.is_file():
        # never replace a device, a folder or a pipe (such as /dev/null) with a file
        raise InputError([Problem(str(path), None, "", "is not a regular file; not written")])
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise InputError([Problem(str(path), None, "", f"cannot write here: {e.strerror}")]) from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
