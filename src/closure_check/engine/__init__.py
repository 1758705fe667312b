"""The only package that imports durable-rules: the neutral form written in its dialect
(`dialect`), sessions of its C core (`session`) and reading what fired (`firings`)."""

from __future__ import annotations

from ..errors import EngineError
from .dialect import GUARD
from .firings import Firing
from .session import BATCH, Engine

__all__ = ["BATCH", "GUARD", "Engine", "EngineError", "Firing"]
