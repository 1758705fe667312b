"""`check(record, rules, as_of) -> Report`: run one record through the rules engine and write
down, subject by subject, what it decided.

The engine decides which subjects each rule applies to and which of them fail; this module only
gathers its firings and turns them into findings with the rule file's messages.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from . import __version__
from .compiler import GUARD, Compiled, EngineRule, compile_rules
from .engine import Engine
from .errors import Problem, RuleFileError
from .facts import Facts, build_facts
from .messages import Messages
from .record import Record, is_yaml_path, read_text_and_digest, record_from_text
from .report import Finding, Report, RuleResult, Status
from .rulefile import RuleSet, load_rules


@dataclass(frozen=True)
class _Failure:
    requirement: int
    value: Any
    evidence: str  # fact id, or ""


def _evidence_key(item: dict[str, Any]) -> tuple[str, ...]:
    """Earliest-dated evidence first, then a stable order: never the record's list order."""
    when = item.get("on") or item.get("completed_on") or ""
    return (str(when), *(str(v) for v in item.values()))


class Checker:
    """A rules folder, validated, compiled and registered with the engine once."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.compiled: Compiled = compile_rules(rules)
        self.messages = Messages(rules.terms_file.labels)
        problems: list[Problem] = []
        for lr in rules.rules:
            texts = [("not_applicable", lr.rule.not_applicable)]
            for pi, part in enumerate(lr.rule.applies_to):
                texts.append((f"applies_to[{pi}].pass", part.pass_))
                for qi, req in enumerate(part.requires):
                    texts.append((f"applies_to[{pi}].requires[{qi}].fail", req.fail))
                    texts.append((f"applies_to[{pi}].requires[{qi}].remedy", req.remedy))
            for field, text in texts:
                try:
                    self.messages.add(text, source=lr.path, field=field)
                except RuleFileError as e:
                    problems += e.problems
        if problems:
            raise RuleFileError(problems)
        self.engine = Engine(self.compiled.definition)

    def check(self, record: Record, *, as_of: date, explain_passing: bool = True) -> Report:
        """Check one record. With `explain_passing` false, a record in which nothing fails gets a
        report of statuses and subjects only, with no messages written: the audit keeps only
        failing records' reports and exceptions, and writing messages is much of the work."""
        facts = build_facts(record, self.rules.terms)
        firings = self.engine.run(facts.facts)
        return self._report(record, facts, firings, as_of, explain_passing)

    def _report(
        self,
        record: Record,
        facts: Facts,
        firings: list[tuple[str, dict[str, str]]],
        as_of: date,
        explain_passing: bool,
    ) -> Report:
        applies: dict[tuple[int, int], set[str]] = defaultdict(set)
        fails: dict[tuple[int, int, str], set[_Failure]] = defaultdict(set)
        witnesses: dict[tuple[int, int, str, int], list[str]] = defaultdict(list)
        meta = self.compiled.meta
        for name, matched in firings:
            if name == GUARD:
                continue
            m: EngineRule = meta[name]
            subject = matched.get("s", matched.get("r", ""))
            if m.role == "applies":
                applies[(m.rule, m.part)].add(subject)
            elif m.role == "fail":
                fails[(m.rule, m.part, subject)].add(
                    _Failure(m.requirement, m.value, matched.get("x", ""))
                )
            else:
                witnesses[(m.rule, m.part, subject, m.requirement)].append(matched["x"])

        blocked = any(self.rules.rules[ri].rule.severity == "blocker" for ri, _, _ in fails)
        # any failure, advisory too, is explained: the audit lists advisory exceptions as well
        explain = explain_passing or bool(fails)
        record_item = facts.items["r"]
        results = []
        for ri, lr in enumerate(self.rules.rules):
            rule = lr.rule
            findings: list[Finding] = []
            for pi, part in enumerate(rule.applies_to):
                for sid in applies.get((ri, pi), ()):
                    subject_id, name = facts.subjects[sid]
                    ctx: dict[str, Any] = {
                        "name": name,
                        "subject": facts.items[sid],
                        "record": record_item,
                        "data": rule.data,
                    }
                    failures = fails.get((ri, pi, sid))
                    if not explain:
                        findings.append(Finding(subject_id, name, "pass", ""))
                        continue
                    if not failures:
                        evidence = {}
                        for qi, req in enumerate(part.requires):
                            found = [facts.items[f] for f in witnesses.get((ri, pi, sid, qi), ())]
                            if found:
                                best = min(found, key=_evidence_key) if len(found) > 1 else found[0]
                                evidence[req.name] = best
                        msg = self.messages.render(part.pass_, ctx | {"evidence": evidence})
                        findings.append(Finding(subject_id, name, "pass", msg))
                        continue
                    problems, remedies = [], []
                    for f in sorted(
                        failures,
                        key=lambda f: (
                            f.requirement,
                            str(f.value),
                            _evidence_key(facts.items[f.evidence]) if f.evidence else ("", ""),
                        ),
                    ):
                        req = part.requires[f.requirement]
                        fctx = ctx | {
                            "value": f.value,
                            "evidence": facts.items[f.evidence] if f.evidence else {},
                        }
                        problem = self.messages.render(req.fail, fctx)
                        remedy = self.messages.render(req.remedy, fctx)
                        if problem not in problems:
                            problems.append(problem)
                        if remedy not in remedies:
                            remedies.append(remedy)
                    problem, remedy = " ".join(problems), " ".join(remedies)
                    findings.append(
                        Finding(subject_id, name, "fail", f"{problem} {remedy}", problem, remedy)
                    )
            findings.sort(key=lambda f: (f.status != "fail", f.subject))
            status: Status
            if not findings:
                status = "not_applicable"
                na_context = {"record": record_item, "data": rule.data}
                na = self.messages.render(rule.not_applicable, na_context) if explain else ""
            else:
                status = "fail" if any(f.status == "fail" for f in findings) else "pass"
                na = ""
            results.append(
                RuleResult(
                    rule.id,
                    rule.title,
                    rule.severity,
                    rule.source.paragraph,
                    status,
                    tuple(findings),
                    na,
                )
            )
        verdict: Literal["pass", "fail"] = "fail" if blocked else "pass"
        worker = record.worker.model_dump(exclude_none=True)
        return Report(
            assessment_id=record.id,
            verdict=verdict,
            as_of=as_of.isoformat(),
            rules_version=self.rules.version,
            results=tuple(results),
            kind=record.kind,
            worker=worker,
            tool_version=__version__,
        )


_checkers: dict[tuple[str, str], Checker] = {}


def checker_for(folder: Path | None = None) -> Checker:
    """The checker for a rules folder (default: the bundled rules), built once per process."""
    rules = load_rules(folder)
    key = (str(rules.folder.resolve()), rules.version)
    if key not in _checkers:
        _checkers[key] = Checker(rules)
    return _checkers[key]


def check(
    record: Record, rules: RuleSet | Checker | None = None, as_of: date | None = None
) -> Report:
    """Check one record. `rules` is a loaded rules folder (default: the bundled rules)."""
    if isinstance(rules, Checker):
        checker = rules
    elif rules is None:
        checker = checker_for(None)
    else:
        key = (str(rules.folder.resolve()), rules.version)
        checker = _checkers.get(key) or _checkers.setdefault(key, Checker(rules))
    return checker.check(record, as_of=as_of or date.today())


def check_file(path: Path, checker: Checker, *, as_of: date) -> Report:
    """Check the record in a JSON or YAML file. The report carries the SHA-256 of the very
    bytes that were checked. Raises InputError for a file that is not a valid record."""
    text, digest = read_text_and_digest(path)
    record = record_from_text(text, source=str(path), as_of=as_of, yaml_text=is_yaml_path(path))
    return dataclasses.replace(checker.check(record, as_of=as_of), input_sha256=digest)
