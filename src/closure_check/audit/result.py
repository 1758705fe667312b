"""The audit's result: counts and tallies in memory; exceptions, errors and failing records'
reports spooled as they arrive (`RecordOutcome`: what checking one record left behind), and the
audit's JSON written piece by piece from the spools."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

from ..errors import Problem
from ..output import json_at, plain_json_at
from .action import NeedingAction
from .baseline import AUDIT_FORMAT, Baseline
from .judged import accepted_status, by_judge
from .packed import Packed, then
from .redact import _person_pseudonym, path_pseudonym, pseudonym
from .spool import _Spool, _SpoolFolder


@dataclass(frozen=True)
class RecordOutcome:
    """What checking one record left behind: enough for the counts and the outputs."""

    seq: int
    source: str
    line: int | None
    status: Literal["pass", "fail", "invalid"]
    assessment_id: str = ""
    kind: str = ""
    problems: tuple[Problem, ...] = ()
    unreadable: bool = False  # the file could not be read at all
    crashed: bool = False  # the rules engine crashed or failed on it
    exceptions: tuple[dict[str, Any], ...] = ()
    #: a failing record's full report, as the audit's JSON holds it (see worker._report_text)
    report: str | None = None
    #: (1.1) rows of the findings accepted by a judgement, as exception rows with the judgement
    accepted: tuple[dict[str, Any], ...] = ()
    #: (1.1) the report's `judgements`: every judgement of the record and its outcome
    judgements: tuple[dict[str, Any], ...] = ()
    #: a failing record's children (pseudonyms when redacted) and start date, for the list of
    #: records needing action (action.py)
    children: tuple[str, ...] = ()
    started_on: str = ""

    def __reduce__(self) -> tuple[type[RecordOutcome], tuple[Any, ...]]:
        # sent from a worker for every record: a plain tuple pickles in half the time
        return (RecordOutcome, tuple(getattr(self, f) for f in _OUTCOME_FIELDS))


_OUTCOME_FIELDS: Final = tuple(f.name for f in dataclasses.fields(RecordOutcome))


#: the counts a worker's Packed holds, in its order
_COUNTED: Final = ("read", "checked", "passed", "failed", "invalid", "crashed", "unreadable")
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass
class Counts:
    """`checked + invalid == read` and `passed + failed == checked`, always."""

    read: int = 0
    checked: int = 0
    passed: int = 0
    failed: int = 0
    invalid: int = 0
    crashed: int = 0  # of the invalid: the rules engine crashed or failed on them
    unreadable: int = 0  # of the invalid: the file could not be read at all


@dataclass
class _Tally:
    exceptions: int = 0
    records: int = 0


class Audit:
    """Everything the outputs need. Counts and tallies are kept in memory; exceptions, errors,
    failing records' reports, and the baseline's resolved exceptions go to spools in a private
    temporary folder as they arrive (no passing record leaves anything but its counts), and the
    outputs are written from there. `close()` (or leaving a `with` block) removes the folder;
    so does garbage collection. `exceptions`, `errors`, `reports`, `resolved` and
    `not_rechecked` are sequences read from the spools."""

    def __init__(
        self,
        *,
        as_of: str,
        rules_version: str,
        tool_version: str,
        inputs: list[str],
        redacted: bool,
        catalogue: list[dict[str, str]],
        baseline: Baseline | None = None,
    ) -> None:
        self.as_of = as_of
        self.rules_version = rules_version
        self.tool_version = tool_version
        self.inputs = inputs
        self.redacted = redacted
        self.catalogue = catalogue  # every rule in catalogue order: rule, title, severity, source
        self.baseline = baseline
        self.counts = Counts()
        self._folder = _SpoolFolder()
        spool = self._folder.spool
        self._exceptions = spool("exceptions")
        self._errors = spool("errors")
        self._reports = spool("reports")  # written by the workers (`add`)
        self._resolved = spool("resolved")
        self._not_rechecked = spool("not_rechecked")
        self._accepted = spool("accepted")
        self._to_review = spool("judgements_to_review")
        self._action = NeedingAction(self._folder.path / "needing_action.spool")
        self._folder.keep(self._action)
        self._judges: dict[str, dict[str, Any]] = {}  # who made judgements, and their outcomes
        self._by_rule: dict[str, _Tally] = {}
        self._by_team: dict[str, _Tally] = {}
        self._by_worker: dict[str, _Tally] = {}
        self._worker_names: dict[str, tuple[str, str]] = {}
        self._severities: dict[str, int] = {"blocker": 0, "advisory": 0}
        self._statuses: dict[str, int] = {"new": 0, "persisting": 0, "accepted": 0}
        self._records_with_exceptions = 0
        self._seen: set[str] = set()  # baseline fingerprints found again
        self._rechecked: set[str] = set()  # baseline records checked again

    @property
    def spool_folder(self) -> str:
        """The private folder of the spools, where the workers write their items."""
        return str(self._folder.path)

    @property
    def exceptions(self) -> Sequence[dict[str, Any]]:
        """One row per exception, in input order."""
        return self._exceptions

    @property
    def errors(self) -> Sequence[dict[str, Any]]:
        """One entry per invalid record, in input order."""
        return self._errors

    @property
    def reports(self) -> Sequence[dict[str, Any]]:
        """The failing records' full reports, in input order."""
        return self._reports

    @property
    def accepted(self) -> Sequence[dict[str, Any]]:
        """One row per finding accepted by a judgement, in input order (1.1)."""
        return self._accepted

    @property
    def judgements_to_review(self) -> Sequence[dict[str, Any]]:
        """The judgements that do not apply or are stale, for the supervisor (1.1)."""
        return self._to_review

    @property
    def needing_action(self) -> NeedingAction:
        """The failing records, worst first: most blockers, then the oldest (action.py)."""
        return self._action

    @property
    def resolved(self) -> Sequence[dict[str, Any]]:
        """Baseline exceptions whose record was checked again and which are gone now."""
        return self._resolved

    @property
    def not_rechecked(self) -> Sequence[dict[str, Any]]:
        """Baseline exceptions whose record was not checked this time."""
        return self._not_rechecked

    def close(self) -> None:
        """Remove the spools (and the baseline's). The outputs cannot be written after this."""
        self._folder.close()
        if self.baseline is not None:
            self.baseline.close()

    def __enter__(self) -> Audit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- building ----------------------------------------------------------------------------

    def add_packed(self, packed: Packed) -> None:
        """A piece's outcomes, packed by the worker that checked them (packed.py): counts and
        tallies added, where its items are noted in the spools; with a baseline, each row's
        status."""
        c = self.counts
        for counted, n in zip(_COUNTED, packed.counts, strict=True):
            setattr(c, counted, getattr(c, counted) + n)
        self._errors.add(packed.errors)
        if packed.action:
            first = len(self._reports)
            for entry in packed.action:
                entry["report"] += first
                self._action.append(entry)
        self._reports.add(packed.reports)
        base = self.baseline
        if base is None:
            self._exceptions.add(packed.exceptions)
            self._accepted.add(packed.accepted)
        else:
            self._rechecked.update(a for a in packed.checked_ids if a in base.records)
            self._add_against(base, packed)
        self._to_review.add(packed.to_review)
        for key, judge in packed.judges.items():
            mine = self._judges.get(key)
            if mine is None:
                self._judges[key] = judge
            else:
                for outcome in ("applied", "not_applied", "stale"):
                    mine[outcome] += judge[outcome]
        for mine, theirs in (
            (self._by_rule, packed.by_rule),
            (self._by_team, packed.by_team),
            (self._by_worker, packed.by_worker),
        ):
            for key, (exceptions, records) in theirs.items():
                tally = mine.get(key)
                if tally is None:
                    tally = mine[key] = _Tally()
                tally.exceptions += exceptions
                tally.records += records
        for wid, name in packed.worker_names.items():
            self._worker_names.setdefault(wid, name)
        for severity, n in packed.severities.items():
            self._severities[severity] = self._severities.get(severity, 0) + n
        self._records_with_exceptions += packed.records_with_exceptions

    def _add_against(self, base: Baseline, packed: Packed) -> None:
        """Rows with a baseline: each exception new or persisting, and first seen when; each
        accepted finding accepted since the baseline, persisting or new (judged.py)."""
        rows = []
        for fingerprint, text in packed.exception_rows:
            first_seen = base.first_seen.get(fingerprint) or self.as_of
            known = fingerprint in base.fingerprints
            # accepted last time and failing again (the judgement expired): not new
            status = "persisting" if known or fingerprint in base.accepted else "new"
            self._statuses[status] += 1
            if known:
                self._seen.add(fingerprint)
            days = _days(first_seen, self.as_of)
            rows.append(
                then(text, first_seen=first_seen, days_since_first_seen=days, status=status)
            )
        self._exceptions.extend("".join(rows), len(rows))
        rows = []
        for fingerprint, text in packed.accepted_rows:
            status = accepted_status(fingerprint, base.fingerprints, base.accepted)
            if status == "accepted":
                self._seen.add(fingerprint)
                self._statuses["accepted"] += 1
            rows.append(then(text, status=status))
        self._accepted.extend("".join(rows), len(rows))

    def finish(self) -> None:
        """After the last record: what the baseline had that this audit no longer has."""
        base = self.baseline
        if base is None:
            return
        for row in base.rows:
            if row["fingerprint"] in self._seen:
                continue
            if self.redacted:
                row["name"] = _redacted_name(row)
                row["source"] = path_pseudonym(row["source"])
                row["worker"] = pseudonym("worker", row["worker_id"]) if row["worker"] else ""
            if row["assessment_id"] in self._rechecked:
                self._resolved.append(row)
            else:
                self._not_rechecked.append(row)

    # -- reading -----------------------------------------------------------------------------

    @property
    def nothing_read(self) -> bool:
        """No record could be read at all: none found, or every file unreadable."""
        return self.counts.read == self.counts.unreadable

    @property
    def exit_status(self) -> int:
        """0 all pass, 1 any fail or invalid record, 2 when nothing could be read."""
        if self.nothing_read:
            return 2
        return 1 if self.counts.failed or self.counts.invalid else 0

    def summary(self) -> dict[str, Any]:
        by_rule = [
            {**rule, "exceptions": t.exceptions, "records": t.records}
            for rule in self.catalogue
            if (t := self._by_rule.get(rule["rule"])) is not None
        ]
        by_team = [
            {"team": team, "exceptions": t.exceptions, "records": t.records}
            for team, t in sorted(self._by_team.items(), key=lambda kv: (-kv[1].exceptions, kv[0]))
        ]
        by_worker = [
            {
                "worker_id": wid,
                "worker": self._worker_names[wid][0],
                "team": self._worker_names[wid][1],
                "exceptions": t.exceptions,
                "records": t.records,
            }
            for wid, t in sorted(self._by_worker.items(), key=lambda kv: (-kv[1].exceptions, kv[0]))
        ]
        return {
            "exceptions": len(self._exceptions),
            "blocker": self._severities.get("blocker", 0),
            "advisory": self._severities.get("advisory", 0),
            "records_with_exceptions": self._records_with_exceptions,
            "by_rule": by_rule,
            "by_team": by_team,
            "by_worker": by_worker,
            "accepted": len(self._accepted),
            "judgements_by": by_judge(self._judges),
            "judgements_to_review": len(self._to_review),
        }

    def baseline_summary(self) -> dict[str, Any] | None:
        base = self.baseline
        if base is None:
            return None
        return {
            "source": base.source,
            "as_of": base.as_of,
            "new": self._statuses["new"],
            "persisting": self._statuses["persisting"],
            "accepted": self._statuses["accepted"],
            "resolved": len(self._resolved),
            "not_rechecked": len(self._not_rechecked),
        }

    def _head(self) -> dict[str, Any]:
        """The audit's JSON up to its lists, which are read from the spools."""
        c = self.counts
        return {
            "format": AUDIT_FORMAT,
            "tool_version": self.tool_version,
            "rules_version": self.rules_version,
            "as_of": self.as_of,
            "inputs": self.inputs,
            "redacted": self.redacted,
            "read": c.read,
            "checked": c.checked,
            "passed": c.passed,
            "failed": c.failed,
            "invalid": c.invalid,
            "crashed": c.crashed,
            "reports_included": "failing",
            "summary": self.summary(),
            "baseline": self.baseline_summary(),
            "warnings": self.warnings,
            "needing_action": self.needing_action,
        }

    def _lists(self) -> dict[str, _Spool]:
        return {
            "exceptions": self._exceptions,
            "accepted": self._accepted,
            "judgements_to_review": self._to_review,
            "resolved": self._resolved,
            "not_rechecked": self._not_rechecked,
            "errors": self._errors,
            "reports": self._reports,
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole audit as one dict, lists and all: for a small audit (a test, say). The
        outputs never need it."""
        head = {**self._head(), "needing_action": list(self._action)}
        return {**head, **{k: list(v) for k, v in self._lists().items()}}

    def json_chunks(self) -> Iterator[str]:
        """The audit's JSON, piece by piece: the same text as `json.dumps(self.to_dict(),
        ensure_ascii=False, indent=2)` and a newline, without holding it whole."""
        yield "{"
        sep = "\n  "
        for key, value in self._head().items():
            yield f"{sep}{_COMPACT(key)}: "
            sep = ",\n  "
            if value is self._action:  # on disk, each entry's text written already
                yield from self._action.json_list()
            elif isinstance(value, dict | list):  # no float: counts, text, lists, dicts of them
                yield plain_json_at(value, 1, floats=False)
            else:
                yield json_at(value, 1)
        for key, spool in self._lists().items():
            yield f"{sep}{_COMPACT(key)}: "
            if not spool:
                yield "[]"
                continue
            yield "[\n    "
            yield from spool.joined(",\n    ")  # each written as this list's item already
            yield "\n  ]"
        yield "\n}\n"

    def to_json(self) -> str:
        return "".join(self.json_chunks())

    def summary_text(self) -> str:
        """The few lines `closure-check audit` prints (see text.py)."""
        from .text import summary_text

        return summary_text(self)

    @property
    def warnings(self) -> list[str]:
        """What could mislead a reader: a baseline made with other rules, or dated after this
        audit (text.py). Named in every output and on standard error."""
        from .text import baseline_warnings

        return baseline_warnings(self)


def _days(first: str, now: str) -> int:
    """Whole days from `first` to `now` (ISO dates), never fewer than none."""
    try:
        return max(0, (date.fromisoformat(now) - date.fromisoformat(first)).days)
    except ValueError:
        return 0


def _redacted_name(row: dict[str, Any]) -> str:
    kind = row["subject_type"]
    if kind in ("child", "adult"):
        return _person_pseudonym(kind, row["assessment_id"], row["subject"])
    return str(row["name"])
