"""Checking by the rules in force on a date: the checker of a rules folder whose rule files
have effective dates (rulefile/effective.py), possibly several versions of one rule.

For each record it takes the version of each rule in force on the record's `completed_on` and
hands the record to one ordinary Checker per distinct set of versions, compiled when first
needed; the engine decides every finding, as ever. A rule with no version in force that day
is `not_applicable`, and the report says it was not in force then. Each rule's result names the
version used: its file and period. `DatedChecker` has Checker's methods (check, check_many,
check_failing, check_failing_many) so the audit, the service and the scenarios use it as they
use a Checker."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from .checker import Checker
from .engine import EngineError
from .record import Record
from .report import Report, RuleResult
from .rulefile import LoadedRule, RuleSet
from .rulefile.effective import in_force, period, versions
from .words import date_words

__all__ = ["DatedChecker", "catalogue_view", "pinned"]

Key = tuple[int, ...]  # for each rule id in catalogue order, the index of its version, or -1


def catalogue_view(rules: RuleSet, day: date) -> RuleSet:
    """The folder as one catalogue: each rule once, the version in force on `day`, else its
    latest version (what the audit lists as its catalogue)."""
    chosen = in_force(rules, day)
    every = versions(rules)
    one = tuple(chosen[i] or every[i][-1] for i in every)
    return RuleSet(rules.folder, rules.terms_file, one, rules.version)


def version_of(lr: LoadedRule) -> dict[str, Any]:
    """What a report says of the version used: its file and its period."""
    eff = lr.rule.effective
    return {
        "file": lr.path.name,
        "from": eff.from_.isoformat() if eff is not None and eff.from_ else None,
        "until": eff.until.isoformat() if eff is not None and eff.until else None,
    }


class DatedChecker(Checker):
    """A dated rules folder's checker: one compiled Checker per set of versions in force."""

    def __init__(
        self,
        rules: RuleSet,
        *,
        on: date | None = None,
        _checkers: dict[Key, Checker | None] | None = None,
    ) -> None:
        # Checker.__init__ is not called: this checker compiles nothing itself
        self.all_rules = rules
        self._versions = versions(rules)
        self._ids = list(self._versions)
        self._checkers = {} if _checkers is None else _checkers  # shared with its `on` views
        self._on = on  # check every record by the versions in force on this date instead
        self._keys: dict[date, Key] = {}
        self.rules = catalogue_view(rules, on or date.today())
        self.terms = rules.terms

    # -- choosing the versions

    def key(self, day: date) -> Key:
        """Which version of each rule is in force on `day` (-1: none), worked out once a day:
        records of one day share it."""
        known = self._keys.get(day)
        if known is None:
            chosen = in_force(self.all_rules, day)
            known = self._keys[day] = tuple(
                -1 if chosen[i] is None else self._versions[i].index(chosen[i])  # type: ignore[arg-type]
                for i in self._ids
            )
        return known

    def _day(self, record: Record) -> date:
        return self._on or record.completed_on

    def checker(self, key: Key) -> Checker | None:
        """The Checker of one set of versions (None when no rule at all is in force)."""
        if key not in self._checkers:
            chosen = tuple(
                self._versions[i][k] for i, k in zip(self._ids, key, strict=True) if k >= 0
            )
            sub = RuleSet(
                self.all_rules.folder, self.all_rules.terms_file, chosen, self.all_rules.version
            )
            checker = Checker(sub) if chosen else None
            if checker is not None:
                checker.not_in_force = {
                    i: "the rule had no version in force on the day the record was completed, "
                    "so there is no failing finding for it to accept"
                    for i, k in zip(self._ids, key, strict=True)
                    if k < 0
                }
            self._checkers[key] = checker
        return self._checkers[key]

    def on(self, day: date) -> DatedChecker:
        """This folder's checker, checking every record by the versions in force on `day`."""
        return DatedChecker(self.all_rules, on=day, _checkers=self._checkers)

    # -- what the report says

    def _complete(
        self, report: Report, key: Key, day: date, only: Collection[str] | None = None
    ) -> Report:
        """The report of a set of versions, with every rule of the folder in catalogue order:
        each rule's result naming its version, and a rule not in force that day not
        applicable (of the rules `only` names, when it names some: `check --select`)."""
        by_rule = {r.rule: r for r in report.results}
        results: list[RuleResult] = []
        for rule_id, k in zip(self._ids, key, strict=True):
            if only is not None and rule_id not in only:
                continue
            if k >= 0:
                lr = self._versions[rule_id][k]
                results.append(dataclasses.replace(by_rule[rule_id], version=version_of(lr)))
                continue
            latest = self._versions[rule_id][-1].rule
            when = "; ".join(period(v) for v in self._versions[rule_id])
            results.append(
                RuleResult(
                    rule_id,
                    latest.title,
                    latest.severity,
                    latest.source.paragraph,
                    "not_applicable",
                    (),
                    f"This rule was not in force on {date_words(day)} (its versions are in force: "
                    f"{when}).",
                    version=None,
                )
            )
        return dataclasses.replace(report, results=tuple(results))

    def _empty(
        self, record: Record, as_of: date, day: date, only: Collection[str] | None = None
    ) -> Report:
        """The report when no rule at all is in force on the day."""
        from . import __version__

        report = Report(
            record.id,
            "pass",
            as_of.isoformat(),
            self.all_rules.version,
            (),
            record.kind,
            record.worker.model_dump(exclude_none=True),
            __version__,
        )
        return self._complete(report, tuple(-1 for _ in self._ids), day, only)

    # -- Checker's methods

    def check(
        self,
        record: Record,
        *,
        as_of: date,
        explain_passing: bool = True,
        only: Collection[str] | None = None,
    ) -> Report:
        day = self._day(record)
        key = self.key(day)
        sub = self.checker(key)
        if sub is None:
            return self._empty(record, as_of, day, only)
        report = sub.check(record, as_of=as_of, explain_passing=explain_passing, only=only)
        return self._complete(report, key, day, only)

    def _groups(self, records: Sequence[Record]) -> dict[Key, list[int]]:
        groups: dict[Key, list[int]] = {}
        for n, record in enumerate(records):
            groups.setdefault(self.key(self._day(record)), []).append(n)
        return groups

    def check_many(
        self, records: Sequence[Record], *, as_of: Sequence[date]
    ) -> list[Report | EngineError]:
        out: list[Report | EngineError | None] = [None] * len(records)
        for key, ns in self._groups(records).items():
            sub = self.checker(key)
            group = [records[n] for n in ns]
            if sub is None:
                answers: list[Report | EngineError] = [
                    self._empty(records[n], as_of[n], self._day(records[n])) for n in ns
                ]
            else:
                answers = sub.check_many(group, as_of=[as_of[n] for n in ns])
            for n, answer in zip(ns, answers, strict=True):
                day = self._day(records[n])
                out[n] = (
                    answer
                    if isinstance(answer, EngineError) or sub is None
                    else (self._complete(answer, key, day))
                )
        return [a for a in out if a is not None]

    def check_failing_many(
        self, records: Sequence[Record], *, as_of: date
    ) -> list[Report | EngineError | None]:
        out: list[Report | EngineError | None] = [None] * len(records)
        for key, ns in self._groups(records).items():
            sub = self.checker(key)
            if sub is None:
                continue  # no rule in force: nothing fails
            answers = sub.check_failing_many([records[n] for n in ns], as_of=as_of)
            for n, answer in zip(ns, answers, strict=True):
                if isinstance(answer, Report):
                    answer = self._complete(answer, key, self._day(records[n]))
                out[n] = answer
        return out


def pinned(checker: Checker, day: date) -> Checker:
    """A checker that checks every record by the rules in force on `day` (the scenarios' "Given
    the rules in force on DATE"): a rules folder without effective dates is the same every day."""
    return checker.on(day) if isinstance(checker, DatedChecker) else checker
