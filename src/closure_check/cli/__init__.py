"""The command line: one module per command, sharing `common` (exit statuses and options)."""

from __future__ import annotations

from .common import ExitStatus
from .main import main

__all__ = ["ExitStatus", "main"]
