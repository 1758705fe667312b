""" "Did you mean ...?": the nearest of the known words to a misspelt one (a field name, an enum
value, a rule id), by rapidfuzz's edit-distance ratio, ignoring case."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["did_you_mean", "nearest"]

#: how alike (0-100, rapidfuzz's normalised InDel ratio) a word must be to be suggested
_CUTOFF = 70.0


def nearest(word: str, known: Iterable[str], *, limit: int = 1) -> list[str]:
    """Up to `limit` known words nearest to `word`, best first; none when nothing is near."""
    from rapidfuzz import fuzz, process, utils

    choices = [k for k in dict.fromkeys(known) if k != word]
    found = process.extract(
        word,
        choices,
        scorer=fuzz.ratio,
        processor=utils.default_process,
        score_cutoff=_CUTOFF,
        limit=limit,
    )
    return [choice for choice, _score, _index in found]


def did_you_mean(word: str, known: Iterable[str], *, limit: int = 1) -> str:
    """'did you mean "completed"?' (or 'did you mean "a" or "b"?'); "" when nothing is near."""
    found = nearest(word, known, limit=limit)
    if not found:
        return ""
    return "did you mean " + " or ".join(f'"{w}"' for w in found) + "?"
