"""`check(record, rules, as_of) -> Report`: run one record through the rules engine and write
down, subject by subject, what it decided.

The engine decides which subjects each rule applies to and which of them fail; this module only
gathers its firings and turns them into findings with the rule file's messages.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from . import __version__, _cache
from .compiler import GUARD, Compiled, EngineRule, compile_rules
from .engine import Engine, EngineError
from .errors import Problem, RuleFileError
from .facts import Facts, build_facts
from .messages import Messages
from .record import Record, is_yaml_path, read_text_and_digest, record_from_text
from .report import Finding, Report, RuleResult, Status
from .rulefile import RuleSet, bundled_rules_dir, load_rules


@dataclass(frozen=True)
class _Failure:
    requirement: int
    value: Any
    evidence: str  # fact id, or ""


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


class Checker:
    """A rules folder, validated, compiled and registered with the engine once."""

    def __init__(
        self,
        rules: RuleSet,
        *,
        _compiled: Compiled | None = None,
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
            self.compiled: Compiled = compile_rules(rules)
            problems: list[Problem] = []
            for text, (path, field) in texts.items():
                try:
                    self.messages.add(text, source=path, field=field)
                except RuleFileError as e:
                    problems += e.problems
            if problems:
                raise RuleFileError(problems)
        else:
            self.compiled = _compiled
            self._render = self._render_on_demand
            self._texts = texts
            self._code = _code or {}
        self.engine = Engine(self.compiled.definition)

    def _render_on_demand(self, text: str, context: dict[str, Any]) -> str:
        where = self._texts.pop(text, None)
        if where is not None:  # first use (it was checked when the cache entry was made)
            code = self._code.get(text)
            if code is not None:
                self.messages.add_compiled(text, code)
            else:
                self.messages.add(text, source=where[0], field=where[1])
        return self.messages.render(text, context)

    def check(self, record: Record, *, as_of: date, explain_passing: bool = True) -> Report:
        """Check one record. With `explain_passing` false, a record in which nothing fails gets a
        report of statuses and subjects only, with no messages written: the audit keeps only
        failing records' reports and exceptions, and writing messages is much of the work."""
        facts = build_facts(record, self.terms)
        firings = self.engine.run(facts.facts)
        return self._report(record, facts, firings, as_of, explain_passing)

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
        engine.run_many): for each record its report, None, or the EngineError it met.

        One engine run, of every rule. Splitting the rules into two rulesets (the failing rules
        first, the rest only for records that fail) was faster, but the engine's C core crashed
        on it about one run in three of tests/test_fast_paths.py after tests/test_engine.py, in
        `assert_facts` of the smaller ruleset, where most facts match no rule."""
        facts = [build_facts(record, self.terms) for record in records]
        answers = self.engine.run_many([f.facts for f in facts])
        meta = self.compiled.meta
        out: list[Report | EngineError | None] = []
        for record, record_facts, firings in zip(records, facts, answers, strict=True):
            if isinstance(firings, EngineError):
                out.append(firings)
            elif any(name != GUARD and meta[name].role == "fail" for name, _ in firings):
                out.append(self._report(record, record_facts, firings, as_of, False))
            else:
                out.append(None)
        return out

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
                    failures = fails.get((ri, pi, sid))
                    if not explain:
                        findings.append(Finding(subject_id, name, "pass", ""))
                        continue
                    ctx: dict[str, Any] = {
                        "name": name,
                        "subject": facts.items[sid],
                        "record": record_item,
                        "data": rule.data,
                    }
                    if not failures:
                        evidence = {}
                        for qi, req in enumerate(part.requires):
                            found = [facts.items[f] for f in witnesses.get((ri, pi, sid, qi), ())]
                            if found:
                                evidence[req.name] = _earliest(found)
                        msg = self._render(part.pass_, ctx | {"evidence": evidence})
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
                        problem = self._render(req.fail, fctx)
                        remedy = self._render(req.remedy, fctx)
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
                na = self._render(rule.not_applicable, na_context) if explain else ""
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
_by_content: dict[str, Checker] = {}


def _checker_of(rules: RuleSet) -> Checker:
    """One Checker, so one registration with the engine, per rules folder and version in a
    process: ruleset names are global to the engine and cannot be removed."""
    key = (str(rules.folder.resolve()), rules.version)
    if key not in _checkers:
        _checkers[key] = Checker(rules)
    return _checkers[key]


def checker_for(folder: Path | None = None) -> Checker:
    """The checker for a rules folder (default: the bundled rules), built once per process, and
    rebuilt when a file in the folder changes.

    Loading, validating and compiling a rules folder takes a large part of a single check, so
    the result is kept in the user's cache (see _cache.py) under a digest of every file in the
    folder, closure-check's own code and the Python, pydantic and jinja2 it runs on: a folder that
    changed in any way, or a different closure-check, is loaded afresh."""
    path = bundled_rules_dir() if folder is None else Path(folder)
    key = _folder_digest(path)
    if key is not None and key in _by_content:
        return _by_content[key]
    checker = _from_cache(key) if key is not None else None
    if checker is None:
        checker = _checker_of(load_rules(folder))
        if key is not None:
            _to_cache(key, checker)
    if key is not None:
        _by_content[key] = checker
    return checker


def _folder_digest(folder: Path) -> str | None:
    """A digest of everything a rules folder's checker depends on, or None if the folder
    cannot be read (load_rules then says why)."""
    import jinja2
    import pydantic

    h = hashlib.sha256()
    versions = (__version__, sys.version, pydantic.VERSION, jinja2.__version__)
    for part in (*versions, _cache.code_fingerprint()):
        h.update(part.encode() + b"\0")
    try:
        h.update(os.fsencode(folder.resolve()) + b"\0")
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            h.update(os.fsencode(entry.name) + b"\0")
            if entry.is_file():
                with open(entry.path, "rb") as f:
                    h.update(f.read() + b"\0")
            else:
                h.update(b"(not a file)\0")
    except OSError:
        return None
    return h.hexdigest()[:32]


def _from_cache(key: str) -> Checker | None:
    data = _cache.read(f"rules-{key}.pickle")
    if data is None:
        return None
    try:
        rules, compiled, code = pickle.loads(data)
    except Exception:  # an unreadable cache entry is as if there were none
        return None
    if not (isinstance(rules, RuleSet) and isinstance(compiled, Compiled)):
        return None
    if not (isinstance(code, dict) and all(isinstance(c, bytes) for c in code.values())):
        return None
    return Checker(rules, _compiled=compiled, _code=code)


def _to_cache(key: str, checker: Checker) -> None:
    try:
        entry = (checker.rules, checker.compiled, checker.messages.code)
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # pragma: no cover - rules are plain data
        return
    _cache.write(f"rules-{key}.pickle", data, prune="rules-")


def check(
    record: Record, rules: RuleSet | Checker | None = None, as_of: date | None = None
) -> Report:
    """Check one record. `rules` is a loaded rules folder (default: the bundled rules)."""
    if isinstance(rules, Checker):
        checker = rules
    elif rules is None:
        checker = checker_for(None)
    else:
        checker = _checker_of(rules)
    return checker.check(record, as_of=as_of or date.today())


def check_file(path: Path, checker: Checker, *, as_of: date) -> Report:
    """Check the record in a JSON or YAML file. The report carries the SHA-256 of the very
    bytes that were checked. Raises InputError for a file that is not a valid record."""
    text, digest = read_text_and_digest(path)
    record = record_from_text(text, source=str(path), as_of=as_of, yaml_text=is_yaml_path(path))
    return dataclasses.replace(checker.check(record, as_of=as_of), input_sha256=digest)
