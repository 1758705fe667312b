"""Putting a decision in words: each finding's pass or fail message, what would put it right,
and the evidence a pass message names, from the rule files' messages.

Nothing here decides anything: the statuses and the verdict come from verdict.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from pydantic import BaseModel

from . import __version__
from .facts import Facts
from .record import Record
from .report import Finding, Report, RuleResult
from .rulefile import Part, RuleSet
from .verdict import Decision, Failure, Fired, JudgementOutcome, SubjectFinding
from .words import date_words

Render = Callable[[str, dict[str, Any]], str]


# -- Dates as people write them, and the values a message reads -------------------------------


class Day(date):
    """A date that a message prints in words ("13 June 2025") and compares as a date."""

    __slots__ = ()

    def __str__(self) -> str:
        return date_words(self)


class _View:
    """A record item as a message reads it: its fields, nested items and lists viewed the same
    way, and every date a `Day`. Nothing is copied until a message reads it."""

    __slots__ = ("_of",)

    def __init__(self, of: Any) -> None:
        self._of = of

    def __getattr__(self, name: str) -> Any:
        of = self._of
        if isinstance(of, dict):
            try:
                return words_view(of[name])
            except KeyError:
                raise AttributeError(name) from None
        return words_view(getattr(of, name))

    def __getitem__(self, key: Any) -> Any:
        if isinstance(self._of, dict):
            return words_view(self._of[key])
        if not isinstance(key, str):
            raise KeyError(key)
        try:
            return self.__getattr__(key)
        except AttributeError:
            raise KeyError(key) from None

    def __bool__(self) -> bool:
        return bool(self._of) if isinstance(self._of, dict) else True

    def __eq__(self, other: object) -> bool:
        return bool(self._of == (other._of if isinstance(other, _View) else other))

    def __hash__(self) -> int:
        return id(self._of)

    def __str__(self) -> str:
        return str(self._of)


def words_view(value: Any) -> Any:
    """`value` as a message reads it (see `_View`)."""
    if isinstance(value, date) and not isinstance(value, Day):
        return Day(value.year, value.month, value.day)
    if isinstance(value, dict | BaseModel):
        return _View(value)
    if isinstance(value, list | tuple):
        return [words_view(v) for v in value]
    return value


def _when(item: dict[str, Any]) -> str:
    """The date a piece of evidence is from (a visit's, a notice's or a check's), or ""."""
    return str(item.get("on") or item.get("completed_on") or "")


def _evidence_key(item: dict[str, Any]) -> tuple[str, ...]:
    """Earliest-dated evidence first, then a stable order: never the record's list order."""
    return (_when(item), *(str(v) for v in item.values()))


def _earliest(found: list[dict[str, Any]]) -> dict[str, Any]:
    """`min(found, key=_evidence_key)`, comparing whole items only where the dates tie."""
    if len(found) == 1:
        return found[0]
    whens = [_when(item) for item in found]
    first = min(whens)
    tied = [item for item, when in zip(found, whens, strict=True) if when == first]
    return tied[0] if len(tied) == 1 else min(tied, key=_evidence_key)


def explain(
    decision: Decision,
    fired: Fired,
    facts: Facts,
    record: Record,
    rules: RuleSet,
    render: Render,
    *,
    as_of: str,
    explain_passing: bool,
) -> Report:
    """The report of a decision. With `explain_passing` false and nothing failing, no message is
    written: the report holds statuses and subjects only (the audit keeps nothing more of a
    record in which nothing fails). Any failure, advisory too, is explained."""
    explain_all = explain_passing or bool(fired.fails)
    record_item = facts.items["r"]
    results = []
    for rd in decision.rules:
        rule = rules.rules[rd.index].rule
        findings = tuple(
            _judged(
                _finding(rule.applies_to[f.part], f, rd.index, fired, facts, record_item,
                         rule.data, render),
                f, facts, record,
            )
            if explain_all
            else Finding(f.subject, f.name, "pass", "")
            for f in rd.findings
        )  # fmt: skip
        na = ""
        if rd.status == "not_applicable" and explain_all:
            na = render(
                rule.not_applicable,
                {"record": words_view(record_item), "data": rule.data, "checks": _checks(facts)},
            )
        results.append(
            RuleResult(
                rule.id, rule.title, rule.severity, rule.source.paragraph, rd.status, findings, na
            )
        )
    return Report(
        assessment_id=record.id,
        verdict=decision.verdict,
        as_of=as_of,
        rules_version=rules.version,
        results=tuple(results),
        kind=record.kind,
        worker=record.worker.model_dump(exclude_none=True),
        tool_version=__version__,
        judgements=tuple(_judgement_entry(o, record) for o in decision.judgements),
    )


# -- Judgements and discharges (1.1) -------------------------------------------------------------


def judgement_view(record: Record, index: int) -> dict[str, str]:
    """A judgement as a finding shows it: who (name, or id), in what role, when, why, and until
    when if it says."""
    j = record.judgements[index]
    view = {
        "by": j.by.name or j.by.id or "someone not named",
        "role": j.by.role,
        "on": j.on.isoformat(),
        "reason": j.reason,
    }
    if j.expires_on is not None:
        view["expires_on"] = j.expires_on.isoformat()
    return view


def _judgement_entry(o: JudgementOutcome, record: Record) -> dict[str, str]:
    """An item of the report's `judgements`: the judgement, its outcome, and why."""
    j = record.judgements[o.index]
    entry = {"rule": j.rule, "subject": o.subject, **judgement_view(record, o.index)}
    if j.by.id:
        entry["by_id"] = j.by.id
    entry["outcome"] = o.outcome
    if o.why:
        entry["why"] = o.why
    return entry


def _judged(finding: Finding, f: SubjectFinding, facts: Facts, record: Record) -> Finding:
    """A finding with what 1.1 adds: which discharge a discharge finding is about, and the
    judgement that accepts an accepted finding (whose failing message stays as it was)."""
    item = facts.items[f.fact]
    discharge = None
    if f.fact.startswith("d"):  # facts.py: discharge facts are d0, d1, ...
        discharge = {"service": str(item["service"]), "on": item["on"].isoformat()}
    if f.judgement is None and discharge is None:
        return finding
    judgement = judgement_view(record, f.judgement) if f.judgement is not None else None
    status = "accepted" if judgement is not None else finding.status
    return replace(finding, status=status, judgement=judgement, discharge=discharge)


def _finding(
    part: Part,
    f: SubjectFinding,
    ri: int,
    fired: Fired,
    facts: Facts,
    record_item: dict[str, Any],
    data: dict[str, Any],
    render: Render,
) -> Finding:
    ctx: dict[str, Any] = {
        "name": f.name,
        "subject": words_view(facts.items[f.fact]),
        "record": words_view(record_item),
        "data": data,
        "checks": _checks(facts),
    }
    if not f.failures:
        evidence = {}
        for qi, req in enumerate(part.requires):
            found = [facts.items[x] for x in fired.witnesses.get((ri, f.part, f.fact, qi), ())]
            if found:
                evidence[req.name] = words_view(_earliest(found))
        return Finding(f.subject, f.name, "pass", render(part.pass_, ctx | {"evidence": evidence}))
    problems: list[str] = []
    remedies: list[str] = []

    def order(failure: Failure) -> tuple[Any, ...]:
        ev = failure.evidence
        return (
            failure.requirement,
            str(failure.value),
            _evidence_key(facts.items[ev]) if ev else ("", ""),
        )

    failures = sorted(f.failures, key=order)
    # What a message may read of the other failures of this finding, so that a finding is said
    # once: the names of the requirements it fails, and a for_each requirement's failing values.
    failing = sorted({part.requires[x.requirement].name for x in failures})
    values: dict[int, list[Any]] = {}
    evidences: dict[int, list[Any]] = {}
    for x in failures:
        values.setdefault(x.requirement, []).append(x.value)
        if x.evidence:
            evidences.setdefault(x.requirement, []).append(words_view(facts.items[x.evidence]))
    for failure in failures:
        req = part.requires[failure.requirement]
        fctx = ctx | {
            "value": failure.value,
            "values": values[failure.requirement],
            "evidences": evidences.get(failure.requirement, []),
            "failing": failing,
            "evidence": words_view(facts.items[failure.evidence]) if failure.evidence else {},
        }
        problem = render(req.fail, fctx)
        remedy = render(req.remedy, fctx)
        if problem and problem not in problems:
            problems.append(problem)
        if remedy and remedy not in remedies:
            remedies.append(remedy)
    problem, remedy = " ".join(problems), " ".join(remedies)
    return Finding(f.subject, f.name, "fail", f"{problem} {remedy}", problem, remedy)


def _checks(facts: Facts) -> list[Any]:
    """Every check of the record, in its order, as messages read them (with `name`: whom it is
    about), so that a message about checks in general can name each one."""
    return [words_view(item) for fid, item in facts.items.items() if fid.startswith("k")]
