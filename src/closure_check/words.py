"""Dates as people write them ("13 June 2025"), for every report and message: babel, British
English. JSON keeps ISO dates; only what people read uses this."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

__all__ = ["date_words", "with_article"]


@cache
def _locale() -> Any:
    from babel import Locale

    return Locale.parse("en_GB")


@cache
def _months() -> tuple[str, ...]:
    """The months' names as babel writes them in a date ("MMMM": format, wide), by number."""
    wide = _locale().months["format"]["wide"]
    return ("", *(str(wide[m]) for m in range(1, 13)))


def date_words(d: date | str) -> str:
    """A date as a person writes it, "13 June 2025": what babel's `format_date(d, "d MMMM y",
    locale="en_GB")` writes (tests/test_report_text.py compares them), from the locale's
    month names, without parsing the pattern for each date (a report writes hundreds)."""
    day = date.fromisoformat(d) if isinstance(d, str) else d
    return f"{day.day} {_months()[day.month]} {day.year}"


def with_article(words: object) -> str:
    """`words` after "a" or "an", as a sentence names one ("a supervisor", "an adult")."""
    text = str(words)
    return ("an " if text[:1] in ("a", "e", "i", "o", "u") else "a ") + text
