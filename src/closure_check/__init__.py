"""closure-check: check an assessment record against the Child J serious case review before it
is completed or closed."""

from __future__ import annotations

from .version import __version__

__all__ = ["__version__"]
