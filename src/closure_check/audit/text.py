"""What `closure-check audit` prints (its summary, the records needing action) and the
warnings about a baseline that could mislead (issue 15, item 7)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .action import action_lines

if TYPE_CHECKING:
    from .result import Audit


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def baseline_warnings(audit: Audit) -> list[str]:
    """A baseline made with other rules, or dated after this audit, named in plain words."""
    base = audit.baseline
    if base is None:
        return []
    found = []
    if base.rules_version != audit.rules_version:
        made = f"rules version {base.rules_version}" if base.rules_version else "unknown rules"
        found.append(
            f"The baseline {base.source} was made with {made}, not rules version "
            f"{audit.rules_version} as this audit: an exception may be new or resolved because "
            "the rules changed, not the record."
        )
    if base.as_of and base.as_of > audit.as_of:
        found.append(
            f"The baseline {base.source} is as of {base.as_of}, after this audit "
            f"(as of {audit.as_of}): this audit's new, persisting and resolved "
            "exceptions may be the wrong way round; use an earlier audit as the baseline."
        )
    return found


def summary_text(audit: Audit) -> str:
    """The few lines `closure-check audit` prints."""
    c = audit.counts
    s = audit.summary()
    lines = [
        f"Audit as of {audit.as_of}: {c.read} record{_s(c.read)} read, {c.passed} passed, "
        f"{c.failed} failed, {c.invalid} invalid"
        + (f" ({c.crashed} of them could not be checked: see errors)" if c.crashed else "")
        + "."
    ]
    if s["exceptions"]:
        lines.append(
            f"{s['exceptions']} exception{_s(s['exceptions'])} ({s['blocker']} blocker, "
            f"{s['advisory']} advisory) in {s['records_with_exceptions']} "
            f"record{_s(s['records_with_exceptions'])}."
        )
    if s["accepted"] or s["judgements_to_review"]:
        lines.append(
            f"{s['accepted']} finding{_s(s['accepted'])} accepted by a professional judgement "
            f"(not counted as exceptions); {s['judgements_to_review']} "
            f"judgement{_s(s['judgements_to_review'])} that "
            f"{'does' if s['judgements_to_review'] == 1 else 'do'} not count (the report "
            "says why for each): please review."
        )
    b = audit.baseline_summary()
    if b is not None:
        lines.append(
            f"Compared with {b['source']}"
            + (f" (as of {b['as_of']})" if b["as_of"] else "")
            + f": {b['new']} new, {b['persisting']} persisting, {b['resolved']} resolved"
            + (f", {b['accepted']} accepted since" if b["accepted"] else "")
            + (f", {b['not_rechecked']} not rechecked" if b["not_rechecked"] else "")
            + "."
        )
    if audit.nothing_read and audit.errors:
        unreadable = ", ".join(e["source"] for e in audit.errors)
        lines.append(f"Nothing could be read: {unreadable} could not be read.")
    elif audit.nothing_read:
        lines.append(
            "Nothing could be read: no record files (.json, .yaml, .yml, .jsonl) were found in "
            + ", ".join(audit.inputs)
            + "."
        )
    lines += action_lines(audit.needing_action)
    if audit.redacted:
        lines.append("Names and file names are replaced by pseudonyms in every output.")
    return "\n".join(lines) + "\n"
