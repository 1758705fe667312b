"""Working days for the advisory timescale rule: Monday to Friday, England and Wales bank
holidays excluded, from the maintained `holidays` library."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share one list of bank holidays; "ENG" is that list in `holidays`.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and d not in _bank_holidays(d.year)


@lru_cache(maxsize=4096)
def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (`start` itself is day 0).
    Negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    d = start + timedelta(days=1)
    while d <= end:
        if is_working_day(d):
            count += 1
        d += timedelta(days=1)
    return count
