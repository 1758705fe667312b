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
from .rulefile.messages import FieldView
from .verdict import Decision, Failure, Fired, JudgementOutcome, SubjectFinding
from .words import date_words

Render = Callable[[str, dict[str, Any]], str]


# -- Dates as people write them, and the values a message reads -------------------------------


class Day(date):
    """A date that a message prints in words ("13 June 2025") and compares as a date."""

    __slots__ = ()

    def __str__(self) -> str:
        return date_words(self)


class _View(FieldView):
    """A record item as a message reads it: its fields, nested items and lists viewed the same
    way, and every date a `Day`. Nothing is copied until a message reads it, and each field is
    viewed once: a view is made once per record (`_Views`) and read by all its messages.

    A message's `x.y` of a view reads its field by `_field`, past the sandbox's checks
    (rulefile/messages.py, `FieldView`); any other name goes through the sandbox, as `x[y]` of
    a name that is not a field does."""

    __slots__ = ("_of", "_seen")

    def __init__(self, of: Any) -> None:
        self._of = of
        self._seen: dict[str, Any] = {}

    def _field(self, name: str) -> Any:
        """The field `name` viewed, or AttributeError if the item has no such field."""
        seen = self._seen
        value = seen.get(name, _NOT_SEEN)
        if value is _NOT_SEEN:
            if name.startswith("_"):  # never a field: pydantic's own entries of __dict__
                raise AttributeError(name)
            of = self._of
            if isinstance(of, dict):
                if name not in of:
                    raise AttributeError(name)
                value = of[name]
            elif name in of.__dict__:  # a model's field (extra fields go the long way)
                value = getattr(of, name)
            else:
                raise AttributeError(name)
            value = seen[name] = words_view(value)
        return value

    def __getattr__(self, name: str) -> Any:
        try:
            return self._field(name)
        except AttributeError:
            if isinstance(self._of, dict):
                raise
        return words_view(getattr(self._of, name))

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return self._field(key)
            except AttributeError:
                raise KeyError(key) from None
        if isinstance(self._of, dict):
            return words_view(self._of[key])
        raise KeyError(key)

    def __bool__(self) -> bool:
        return bool(self._of) if isinstance(self._of, dict) else True

    def __eq__(self, other: object) -> bool:
        return bool(self._of == (other._of if isinstance(other, _View) else other))

    def __hash__(self) -> int:
        return id(self._of)

    def __str__(self) -> str:
        return str(self._of)


_NOT_SEEN = object()
_AS_IS = frozenset((str, int, bool, float, type(None)))


def words_view(value: Any) -> Any:
    """`value` as a message reads it (see `_View`)."""
    if type(value) in _AS_IS:  # most fields: only their type is asked about
        return value
    if isinstance(value, date):
        return value if isinstance(value, Day) else Day(value.year, value.month, value.day)
    if isinstance(value, dict | BaseModel):
        return _View(value)
    if isinstance(value, list | tuple):
        return [words_view(v) for v in value]
    return value


class _Views:
    """The views of one record's items, each made once for all the messages of its report."""

    __slots__ = ("_checks", "_items", "_made", "record")

    def __init__(self, items: dict[str, dict[str, Any]]) -> None:
        self._items = items
        self._made: dict[int, _View] = {}
        self._checks: list[_View] | None = None
        self.record = self.of(items["r"])

    def of(self, item: dict[str, Any]) -> _View:
        """The view of `item`, one of the record's items."""
        view = self._made.get(id(item))  # items live as long as the report is being written
        if view is None:
            view = self._made[id(item)] = _View(item)
        return view

    def fact(self, fid: str) -> _View:
        return self.of(self._items[fid])

    @property
    def checks(self) -> list[_View]:
        """Every check of the record, in its order (with `name`: whom it is about), so that a
        message about checks in general can name each one."""
        if self._checks is None:
            self._checks = [self.of(it) for fid, it in self._items.items() if fid.startswith("k")]
        return self._checks


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


def _in_order(failures: frozenset[Failure], items: dict[str, dict[str, Any]]) -> list[Failure]:
    """A finding's failures by requirement, value, then evidence (`_evidence_key`, worked out
    only where requirement and value tie): never the engine's order."""
    if len(failures) == 1:
        return list(failures)
    first = sorted(failures, key=lambda x: (x.requirement, str(x.value)))
    keys = [(x.requirement, str(x.value)) for x in first]
    if len(set(keys)) == len(keys):
        return first

    def order(failure: Failure) -> tuple[Any, ...]:
        ev = failure.evidence
        return (
            failure.requirement,
            str(failure.value),
            _evidence_key(items[ev]) if ev else ("", ""),
        )

    return sorted(failures, key=order)


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
    views = _Views(facts.items) if explain_all else None
    results = []
    for rd in decision.rules:
        rule = rules.rules[rd.index].rule
        findings = tuple(
            _judged(
                _finding(rule.applies_to[f.part], f, rd.index, fired, facts, views, rule.data,
                         render),
                f, facts, record,
            )
            if views is not None
            else Finding(f.subject, f.name, "pass", "")
            for f in rd.findings
        )  # fmt: skip
        na = ""
        if rd.status == "not_applicable" and views is not None:
            na = render(
                rule.not_applicable,
                {"record": views.record, "data": rule.data, "checks": views.checks},
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
    views: _Views,
    data: dict[str, Any],
    render: Render,
) -> Finding:
    ctx: dict[str, Any] = {
        "name": f.name,
        "subject": views.fact(f.fact),
        "record": views.record,
        "data": data,
        "checks": views.checks,
    }
    if not f.failures:
        evidence = {}
        witnesses, items = fired.witnesses, facts.items
        for qi, req in enumerate(part.requires):
            found = witnesses.get((ri, f.part, f.fact, qi))
            if found:
                evidence[req.name] = views.of(_earliest([items[x] for x in found]))
        ctx["evidence"] = evidence
        return Finding(f.subject, f.name, "pass", render(part.pass_, ctx))
    problems: list[str] = []
    remedies: list[str] = []
    failures = _in_order(f.failures, facts.items)
    # What a message may read of the other failures of this finding, so that a finding is said
    # once: the names of the requirements it fails, and a for_each requirement's failing values.
    failing = sorted({part.requires[x.requirement].name for x in failures})
    values: dict[int, list[Any]] = {}
    evidences: dict[int, list[Any]] = {}
    for x in failures:
        values.setdefault(x.requirement, []).append(x.value)
        if x.evidence:
            evidences.setdefault(x.requirement, []).append(views.fact(x.evidence))
    for failure in failures:
        req = part.requires[failure.requirement]
        fctx = ctx | {
            "value": failure.value,
            "values": values[failure.requirement],
            "evidences": evidences.get(failure.requirement, []),
            "failing": failing,
            "evidence": views.fact(failure.evidence) if failure.evidence else {},
        }
        problem = render(req.fail, fctx)
        remedy = render(req.remedy, fctx)
        if problem and problem not in problems:
            problems.append(problem)
        if remedy and remedy not in remedies:
            remedies.append(remedy)
    problem, remedy = " ".join(problems), " ".join(remedies)
    return Finding(f.subject, f.name, "fail", f"{problem} {remedy}", problem, remedy)
