"""Dates as people write them ("13 June 2025"), for every report and message: babel, British
English. JSON keeps ISO dates; only what people read uses this."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

__all__ = ["date_words"]


@cache
def _locale() -> Any:
    from babel import Locale

    return Locale.parse("en_GB")


def date_words(d: date | str) -> str:
    """A date as a person writes it, "13 June 2025" (babel, British English)."""
    from babel.dates import format_date

    day = date.fromisoformat(d) if isinstance(d, str) else d
    return str(format_date(day, "d MMMM y", locale=_locale()))
