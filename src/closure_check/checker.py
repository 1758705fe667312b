"""A rules folder's checker: a record's facts through the engine, and what fired gathered into
findings per subject, then decided (verdict.py) and put in words (explain.py).

The engine decides which subjects each rule applies to and which of them fail; this module only
gathers its firings.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Collection, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from .compiler import compile_rules
from .engine import Engine, EngineError, Firing
from .errors import Problem, RuleFileError
from .explain import explain
from .facts import FACTS, Facts, build_facts
from .form import All, AnyOf, Cond, FieldOf, Meaning, Program
from .record import Record
from .report import Report
from .rulefile import RuleSet
from .rulefile.messages import Messages
from .verdict import Failure, Fired, decide

__all__ = ["Checker", "gather"]


def gather(firings: list[Firing], meaning: dict[str, tuple[Meaning, ...]]) -> Fired:
    """What the engine found, by rule part and subject: each meaning of each rule that fired (one
    rule may find several things, see dialect.to_durable and compiler.py). A firing of a rule
    with no meaning (the guard) finds nothing."""
    fired = Fired()
    for name, matched in firings:
        meanings = meaning.get(name)
        if meanings is None:
            continue
        subject = matched.get("subject", matched.get("record", ""))
        for m in meanings:
            if m.role == "applies":
                fired.applies[(m.rule, m.part)].add(subject)
            elif m.role == "fail":
                fired.fails[(m.rule, m.part, subject)].add(
                    Failure(m.requirement, m.value, matched.get("related", ""))
                )
            else:
                key = (m.rule, m.part, subject, m.requirement)
                fired.witnesses[key].append(matched["related"])
    return fired


def fields_read(program: Program) -> frozenset[str]:
    """Every fact field (`kind.field`) a test of `program` reads, of its own fact or, compared
    with, of another: all that `build_facts` need send the engine (facts.py, `Terms.reads`)."""
    reads: set[str] = set()
    for rule in program.rules:
        kinds = {p.name: p.kind for p in rule.patterns}
        conds: list[tuple[str, Cond]] = [(p.kind, p.cond) for p in rule.patterns]
        while conds:
            kind, cond = conds.pop()
            if isinstance(cond, All | AnyOf):
                conds += [(kind, c) for c in cond.parts]
                continue
            reads.add(f"{kind}.{cond.field}")
            if isinstance(cond.value, FieldOf):  # of a fact the rule binds (any kind, if not)
                of = cond.value
                reads.update(
                    f"{k}.{of.field}" for k in ([kinds[of.name]] if of.name in kinds else FACTS)
                )
    return frozenset(reads)


class Checker:
    """A rules folder, validated, compiled and registered with the engine once."""

    #: rules of a dated folder with no version in force for this checker's set of versions,
    #: with why (dated.py sets it): a judgement on one of them is stale, not unknown
    not_in_force: dict[str, str] = {}  # noqa: RUF012 - never changed in place

    def __init__(
        self,
        rules: RuleSet,
        *,
        _compiled: Program | None = None,
        _code: dict[str, bytes] | None = None,
    ) -> None:
        """Compile `rules`, check every message template in them (RuleFileError naming each
        bad one), and register the compiled rules with the engine.

        `_compiled` and `_code` are for `checker_for`'s cache only: the compiled form of exactly
        these rules and the compiled code of their messages, all checked in full when the cache
        entry was made, so that each message is only loaded, when first written."""
        self.rules = rules
        self.terms = rules.terms  # made afresh by each reading of rules.terms: made once here
        self.messages = Messages(rules.terms_file.labels)
        texts: dict[str, tuple[Path, str]] = {}
        for lr in rules.rules:
            texts.setdefault(lr.rule.not_applicable, (lr.path, "not_applicable"))
            for pi, part in enumerate(lr.rule.applies_to):
                texts.setdefault(part.pass_, (lr.path, f"applies_to[{pi}].pass"))
                for qi, req in enumerate(part.requires):
                    where = f"applies_to[{pi}].requires[{qi}]"
                    texts.setdefault(req.fail, (lr.path, f"{where}.fail"))
                    texts.setdefault(req.remedy, (lr.path, f"{where}.remedy"))
        self._render: Callable[[str, dict[str, Any]], str] = self.messages.render
        if _compiled is None:
            self.compiled: Program = compile_rules(rules)
            problems: list[Problem] = []
            for text, (path, field) in texts.items():
                try:
                    self.messages.add(text, source=path, field=field)
                except RuleFileError as e:
                    problems += e.problems
            if problems:
                raise RuleFileError(problems)
        else:  # each made when first written (it was checked when the cache entry was made)
            self.compiled = _compiled
            code = _code or {}
            for text, (path, field) in texts.items():
                self.messages.later(text, source=path, field=field, code=code.get(text))
        self.engine = Engine(self.compiled)
        #: the terms facts are built with: only the fields the compiled rules read
        self._fact_terms = dataclasses.replace(self.terms, reads=fields_read(self.compiled))

    def check(
        self,
        record: Record,
        *,
        as_of: date,
        explain_passing: bool = True,
        only: Collection[str] | None = None,
    ) -> Report:
        """Check one record. With `explain_passing` false, a record in which nothing fails gets a
        report of statuses and subjects only, with no messages written: the audit keeps only
        failing records' reports and exceptions, and writing messages is much of the work.
        With `only` (rule ids), the report holds those rules alone and its verdict is theirs."""
        facts = build_facts(record, self._fact_terms)
        firings = self.engine.run(facts.facts)
        return self._report(record, facts, firings, as_of, explain_passing, only)

    @functools.cached_property
    def rule_ids(self) -> frozenset[str]:
        """The ids of the rules checked: a judgement naming another is an input error (made
        once: each record read asks)."""
        return frozenset(lr.rule.id for lr in self.rules)

    def check_many(
        self, records: Sequence[Record], *, as_of: Sequence[date]
    ) -> list[Report | EngineError]:
        """`check` for several records at once, each as of its own date, in one engine session
        (the decision service checks requests that arrive together so): for each record its
        full report, or the EngineError it met."""
        facts = [build_facts(record, self._fact_terms) for record in records]
        answers = self.engine.run_many([f.facts for f in facts])
        return [
            firings
            if isinstance(firings, EngineError)
            else self._report(record, record_facts, firings, day, True)
            for record, record_facts, firings, day in zip(
                records, facts, answers, as_of, strict=True
            )
        ]

    def check_failing(self, record: Record, *, as_of: date) -> Report | None:
        """Check one record for an audit, which keeps nothing of a record in which nothing
        fails: None for such a record, otherwise the report `check(..., explain_passing=False)`
        gives."""
        (report,) = self.check_failing_many([record], as_of=as_of)
        if isinstance(report, EngineError):
            raise report
        return report

    def check_failing_many(
        self, records: Sequence[Record], *, as_of: date
    ) -> list[Report | EngineError | None]:
        """`check_failing` for several records at once, in one engine session (see
        engine/session.py, `Engine.run_many`): for each record its report, None, or the
        EngineError it met.

        One engine run, of every rule. Splitting the rules into two rulesets (the failing rules
        first, the rest only for records that fail) was faster, but the engine's C core crashed
        on it about one run in three of tests/test_fast_paths.py after tests/test_engine.py, in
        `assert_facts` of the smaller ruleset, where most facts match no rule."""
        facts = [build_facts(record, self._fact_terms) for record in records]
        answers = self.engine.run_many([f.facts for f in facts])
        failing = self.engine.failing
        out: list[Report | EngineError | None] = []
        for record, record_facts, firings in zip(records, facts, answers, strict=True):
            if isinstance(firings, EngineError):
                out.append(firings)
            elif record.judgements or any(
                name in failing for name, _ in firings
            ):  # a record with judgements is reported, so stale ones reach the supervisor
                out.append(self._report(record, record_facts, firings, as_of, False))
            else:
                out.append(None)
        return out

    def _report(
        self,
        record: Record,
        facts: Facts,
        firings: list[Firing],
        as_of: date,
        explain_passing: bool,
        only: Collection[str] | None = None,
    ) -> Report:
        fired = gather(firings, self.engine.meaning)
        decision = decide(
            self.rules,
            fired,
            facts.subjects,
            record=record,
            as_of=as_of,
            terms=self.terms,
            only=only,
            not_in_force=self.not_in_force,
        )
        return explain(
            decision,
            fired,
            facts,
            record,
            self.rules,
            self._render,
            as_of=as_of.isoformat(),
            explain_passing=explain_passing,
        )
