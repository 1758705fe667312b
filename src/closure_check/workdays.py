"""Working days for the advisory timescale rule: Monday to Friday, England and Wales bank
holidays excluded, from the maintained `holidays` library.

`holidays` loads every country it knows when it is first asked for one (a tenth of a second), so
each year's bank holidays, once computed, are kept in the user's cache (see cache.py), keyed by
the library's version: most runs never import it."""

from __future__ import annotations

import bisect
import importlib.util
import json
import os
from datetime import date
from functools import lru_cache

from . import cache as _cache


def _library_key() -> str:
    """Which `holidays` is installed, without importing it: where it is and when it changed."""
    spec = importlib.util.find_spec("holidays")
    origin = spec.origin if spec is not None else None
    if origin is None:
        return ""
    try:
        folder = os.path.dirname(origin)
        names = ("__init__.py", "version.py")
        stamps = [os.stat(os.path.join(folder, n)).st_mtime_ns for n in names]
    except OSError:
        return ""
    return f"{origin}:{stamps}"


_CACHE_NAME = "bank-holidays.json"
_known: dict[int, frozenset[date]] = {}


def _computed(year: int) -> frozenset[date]:
    import holidays

    # England and Wales share one list of bank holidays; "ENG" is that list in `holidays`.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def _bank_holidays(year: int) -> frozenset[date]:
    found = _known.get(year)
    if found is not None:
        return found
    key = _library_key()
    stored: dict[str, object] = {}
    raw = _cache.read(_CACHE_NAME) if key else None
    if raw is not None:
        try:
            loaded = json.loads(raw)
            if isinstance(loaded, dict) and loaded.get("library") == key:
                stored = loaded
        except ValueError:
            pass
    years = stored.get("years")
    listed = years.get(str(year)) if isinstance(years, dict) else None
    if isinstance(listed, list):
        try:
            found = frozenset(date.fromisoformat(d) for d in listed)
        except (TypeError, ValueError):
            found = None
    if found is None:
        found = _computed(year)
        if key:
            kept = dict(years) if isinstance(years, dict) else {}
            kept[str(year)] = sorted(d.isoformat() for d in found)
            _cache.write(_CACHE_NAME, json.dumps({"library": key, "years": kept}).encode())
    _known[year] = found
    return found


@lru_cache(maxsize=64)
def _sorted_holidays(first: int, last: int) -> list[int]:
    """The bank holidays from `first` to `last` (years) that fall on a weekday, as ordinals."""
    days = set()
    for year in range(first, last + 1):
        days |= {d.toordinal() for d in _bank_holidays(year) if d.weekday() < 5}
    return sorted(days)


def _weekdays_up_to(ordinal: int) -> int:
    """Monday-to-Friday days from day 1 (a Monday) up to and including `ordinal`."""
    weeks, rest = divmod(ordinal, 7)  # ordinal 1 is Monday 0001-01-01
    return weeks * 5 + min(rest, 5)


@lru_cache(maxsize=4096)
def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (`start` itself is day 0).
    Negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start)
    a, b = start.toordinal(), end.toordinal()
    weekdays = _weekdays_up_to(b) - _weekdays_up_to(a)
    holidays = _sorted_holidays(start.year, end.year)
    return weekdays - (bisect.bisect_right(holidays, b) - bisect.bisect_right(holidays, a))
