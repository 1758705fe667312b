"""`impact()`: what a draft rules folder would do to the records a team already has. Every
record is checked as the audit checks it, in worker processes (audit.runner's pool), once under
the base rules and once under the draft; the two outcomes of each record are compared: its
verdict, and its failing findings (rule and subject) that appear or disappear."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ..api import checker_for
from ..audit.result import RecordOutcome
from ..audit.runner import _items, _run_pool
from ..audit.worker import check_records
from ..rulefile import bundled_rules_dir

Change = Literal["newly_failing", "newly_passing", "findings_changed", "unchanged"]
FindingKey = tuple[str, str]  # rule, subject


@dataclass(frozen=True)
class Side:
    """What one record's check under one rule set left: enough to compare."""

    status: str  # pass, fail, invalid
    fails: dict[FindingKey, tuple[str, str]]  # (rule, subject) -> (name, what is wrong)
    problems: tuple[str, ...]


def _side(outcome: RecordOutcome) -> Side:
    fails = {(r["rule"], r["subject"]): (r["name"], r["problem"]) for r in outcome.exceptions}
    return Side(outcome.status, fails, tuple(str(p) for p in outcome.problems))


@dataclass(frozen=True)
class FindingChange:
    rule: str
    subject: str
    name: str
    problem: str
    change: Literal["appeared", "disappeared"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "subject": self.subject,
            "name": self.name,
            "problem": self.problem,
            "change": self.change,
        }


@dataclass(frozen=True)
class RecordImpact:
    assessment_id: str
    source: str
    line: int | None
    base: str  # verdict under the base rules: pass, fail or invalid
    draft: str
    change: Change
    findings: tuple[FindingChange, ...] = ()
    problems: tuple[str, ...] = ()  # an invalid record's problems (either side)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "assessment_id": self.assessment_id,
            "source": self.source,
            "line": self.line,
            "base_verdict": self.base,
            "draft_verdict": self.draft,
        }
        if self.base == "invalid" or self.draft == "invalid":
            d["problems"] = list(self.problems)
        else:
            d["change"] = self.change
            d["findings"] = [f.to_dict() for f in self.findings]
        return d


@dataclass
class Impact:
    """The comparison: `read == checked + invalid`; `checked == still_passing + still_failing
    + newly_failing + newly_passing`; per rule, appeared and disappeared add up to the totals."""

    as_of: date
    base: dict[str, str]  # rules folder and rules_version
    draft: dict[str, str]
    catalogue: list[dict[str, str]]  # rule, title, severity: the draft's rules, then the base's
    changed: list[RecordImpact] = field(default_factory=list)  # verdict or findings changed
    invalid: list[RecordImpact] = field(default_factory=list)
    read: int = 0
    still_passing: int = 0
    still_failing: int = 0

    def _count(self, change: Change) -> int:
        return sum(1 for r in self.changed if r.change == change)

    @property
    def counts(self) -> dict[str, int]:
        appeared = sum(1 for r in self.changed for f in r.findings if f.change == "appeared")
        return {
            "read": self.read,
            "checked": self.read - len(self.invalid),
            "invalid": len(self.invalid),
            "newly_failing": self._count("newly_failing"),
            "newly_passing": self._count("newly_passing"),
            "still_failing": self.still_failing,
            "still_passing": self.still_passing,
            "findings_changed": self._count("findings_changed"),
            "findings_appeared": appeared,
            "findings_disappeared": sum(len(r.findings) for r in self.changed) - appeared,
            "invalid_under_base": sum(1 for r in self.invalid if r.base == "invalid"),
            "invalid_under_draft": sum(1 for r in self.invalid if r.draft == "invalid"),
        }

    @property
    def anything_changed(self) -> bool:
        """A verdict or a finding changes, or a record is invalid under one rule set only."""
        return bool(self.changed) or any(r.base != r.draft for r in self.invalid)

    def by_rule(self) -> list[dict[str, Any]]:
        """Each rule with a finding that appears or disappears, in catalogue order."""
        out: dict[str, dict[str, Any]] = {}
        for c in self.catalogue:
            out[c["rule"]] = {**c, "appeared": [], "disappeared": []}
        for r in self.changed:
            for f in r.findings:
                entry = out.setdefault(
                    f.rule,
                    {
                        "rule": f.rule,
                        "title": f.rule,
                        "severity": "",
                        "appeared": [],
                        "disappeared": [],
                    },
                )
                entry[f.change].append(
                    {
                        "assessment_id": r.assessment_id,
                        "subject": f.subject,
                        "name": f.name,
                        "source": r.source,
                        "line": r.line,
                    }
                )
        return [e for e in out.values() if e["appeared"] or e["disappeared"]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "base": self.base,
            "draft": self.draft,
            "counts": self.counts,
            "records": [r.to_dict() for r in self.changed],
            "rules": [
                {
                    **{k: e[k] for k in ("rule", "title", "severity")},
                    "appeared": len(e["appeared"]),
                    "disappeared": len(e["disappeared"]),
                    "findings": [
                        {**x, "change": ch} for ch in ("appeared", "disappeared") for x in e[ch]
                    ],
                }
                for e in self.by_rule()
            ],
            "invalid": [r.to_dict() for r in self.invalid],
        }


@dataclass(frozen=True)
class _Before:
    """A record's outcome under the base rules, kept until the draft's comes (no report text)."""

    assessment_id: str
    source: str
    line: int | None
    side: Side


def _compare(first: _Before, draft: RecordOutcome) -> RecordImpact | str:
    """One record's impact, or "pass"/"fail" when nothing about it changes."""
    base = first.side
    after = _side(draft)
    aid = first.assessment_id or draft.assessment_id
    if base.status == "invalid" or after.status == "invalid":
        problems = tuple(dict.fromkeys((*base.problems, *after.problems)))
        return RecordImpact(
            aid, first.source, first.line, base.status, after.status, "unchanged", (), problems
        )
    findings = [
        FindingChange(rule, subject, *after.fails[(rule, subject)], "appeared")
        for rule, subject in after.fails
        if (rule, subject) not in base.fails
    ] + [
        FindingChange(rule, subject, *base.fails[(rule, subject)], "disappeared")
        for rule, subject in base.fails
        if (rule, subject) not in after.fails
    ]
    change: Change
    if base.status == after.status:
        if not findings:
            return base.status
        change = "findings_changed"
    else:
        change = "newly_failing" if after.status == "fail" else "newly_passing"
    return RecordImpact(
        aid, first.source, first.line, base.status, after.status, change, tuple(findings)
    )


def _outcomes(
    paths: Sequence[Path], rules_dir: Path | None, as_of: date, workers: int, skip: frozenset[str]
) -> Iterable[RecordOutcome]:
    """Every record's outcome under one rule set, in input order: exactly the audit's check."""
    checker = checker_for(rules_dir)
    return _run_pool(
        _items(list(paths), skip),
        workers=workers,
        rules_dir=rules_dir,
        as_of=as_of,
        redact=False,
        check_fn=check_records,
        rules_version=checker.rules.version,
    )


def impact(
    paths: Sequence[Path | str],
    *,
    draft: Path,
    base: Path | None = None,
    as_of: date,
    workers: int = 1,
    skip: Iterable[Path | str] = (),
) -> Impact:
    """Check every record in `paths` under `base` (default: the bundled rules) and under
    `draft`, in `workers` processes, and compare. Raises RuleFileError for bad rules in either
    folder, before any record is read."""
    if workers < 1:
        raise ValueError("workers must be 1 or more")
    base_checker, draft_checker = checker_for(base), checker_for(draft)
    catalogue: dict[str, dict[str, str]] = {}
    for checker in (draft_checker, base_checker):
        for lr in checker.rules:
            catalogue.setdefault(
                lr.rule.id,
                {"rule": lr.rule.id, "title": lr.rule.title, "severity": lr.rule.severity},
            )
    result = Impact(
        as_of,
        {"rules": str(base or bundled_rules_dir()), "rules_version": base_checker.rules.version},
        {"rules": str(draft), "rules_version": draft_checker.rules.version},
        list(catalogue.values()),
    )
    files = [Path(p) for p in paths]
    never = frozenset(os.path.realpath(p) for p in skip)
    before = {
        o.seq: _Before(o.assessment_id, o.source, o.line, _side(o))
        for o in _outcomes(files, base, as_of, workers, never)
    }
    for outcome in _outcomes(files, draft, as_of, workers, never):
        result.read += 1
        compared = _compare(before.pop(outcome.seq), outcome)
        if compared == "pass":
            result.still_passing += 1
        elif compared == "fail":
            result.still_failing += 1
        elif isinstance(compared, str):  # pragma: no cover - "pass" and "fail" only
            raise AssertionError(compared)
        elif "invalid" in (compared.base, compared.draft):
            result.invalid.append(compared)
        else:
            result.changed.append(compared)
            if compared.change == "findings_changed":  # the same verdict, other findings
                if compared.base == "pass":
                    result.still_passing += 1
                else:
                    result.still_failing += 1
    return result
