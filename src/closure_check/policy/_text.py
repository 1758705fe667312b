"""How the policy tools word what they find: where it is, and the words they quote."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import Problem


def problem_at(path: Path | str, line: int | None, message: str) -> Problem:
    """A problem with a file of the features folder (or the folder itself), at a line if known."""
    return Problem(str(path), line, "", message)


def quote(words: Iterable[str]) -> str:
    return ", ".join(f'"{w}"' for w in words)


def clip(text: str, width: int = 60) -> str:
    """A line short enough to quote in a message."""
    return text if len(text) <= width else text[: width - 3] + "..."
