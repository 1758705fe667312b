"""The decision service (`closure-check serve`): a case management system asks it, over HTTP,
whether a record may be completed or closed; a worker checks a record by hand on its page."""

from __future__ import annotations

from .settings import Settings

__all__ = ["Settings"]
