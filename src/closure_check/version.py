"""closure-check's version, and the Pythons it runs on."""

from __future__ import annotations

import sys

__version__ = "0.1.0"

if not ((3, 11) <= sys.version_info[:2] < (3, 13)):  # pragma: no cover - checked at import
    raise SystemExit(
        "closure-check needs Python 3.11 or 3.12: its rules engine, durable-rules 2.0.28, "
        f"does not work on Python {sys.version_info.major}.{sys.version_info.minor}."
    )
