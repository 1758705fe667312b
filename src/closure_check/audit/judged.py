"""Professional judgements in the audit (1.1; rules.md, *Judgements*): findings accepted by a
judgement, counted apart from the failing ones; judgements counted for whoever made them; and
those that do not apply or are stale, listed for the supervisor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .result import RecordOutcome


def accepted_fields(finding: dict[str, Any]) -> dict[str, Any]:
    """What an accepted finding's row has besides an exception's: the judgement."""
    if finding["status"] != "accepted":
        return {}
    return {"finding": "accepted", "judgement": finding["judgement"]}


def accepted_status(fingerprint: str, exceptions: set[str], accepted: set[str]) -> str:
    """An accepted finding's status against the baseline (its `exceptions` and `accepted`
    fingerprints): `accepted` when it was an exception last time (accepted since, not
    resolved), `persisting` when it was accepted last time too, otherwise `new`. Without a
    baseline its status is None."""
    if fingerprint in exceptions:
        return "accepted"
    return "persisting" if fingerprint in accepted else "new"


def count_judgements(
    judges: dict[str, dict[str, Any]], outcome: RecordOutcome
) -> Iterator[dict[str, Any]]:
    """Count each of a record's judgements for whoever made it (by id, or by name without
    one), and yield those that do not count (not applied, or stale) for the supervisor."""
    for j in outcome.judgements:
        judge = judges.setdefault(
            j.get("by_id") or j["by"],
            {"by_id": j.get("by_id", ""), "by": j["by"], "role": j["role"],
             "applied": 0, "not_applied": 0, "stale": 0},
        )  # fmt: skip
        judge[j["outcome"]] += 1
        if j["outcome"] != "applied":
            yield {"assessment_id": outcome.assessment_id, "source": outcome.source,
                   "line": outcome.line, **j}  # fmt: skip


def by_judge(judges: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The summary's `judgements_by`: one entry per person who made judgements, by name."""
    return sorted(judges.values(), key=lambda j: (str(j["by"]).casefold(), str(j["by_id"])))
