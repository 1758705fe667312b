"""Coverage of the review: each paragraph listed in the features folder's coverage file -> the
rules whose source names it -> the scenarios that show each rule passing, failing and not
applying. A gap is a rule without a passing or a failing scenario, or a paragraph neither
encoded nor marked as not checkable."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Problem
from ..rulefile import RuleSet
from ..sources.yaml import read_yaml
from ._text import problem_at, quote
from .features import read_features
from .steps import StepLibrary

#: The list of review paragraphs, in the features folder (see `coverage`).
COVERAGE_FILE = "coverage.yaml"

_PARAGRAPH = re.compile(r"^\d+(\.\d+)+$")


def paragraphs_of(source: str) -> list[str]:
    """The review paragraphs a rule's `source.paragraph` names ("6.10.2, 6.10.3")."""
    return [p for p in re.split(r"[,\s]+", source) if _PARAGRAPH.match(p)]


@dataclass(frozen=True)
class ScenarioRef:
    path: Path
    line: int
    name: str


@dataclass
class RuleCoverage:
    rule_id: str
    title: str
    severity: str
    source: str
    passing: list[ScenarioRef] = field(default_factory=list)
    failing: list[ScenarioRef] = field(default_factory=list)
    not_applicable: list[ScenarioRef] = field(default_factory=list)


@dataclass(frozen=True)
class ParagraphRow:
    paragraph: str
    concerns: str
    rules: tuple[str, ...]
    not_checkable: str | None


@dataclass
class Coverage:
    paragraphs: list[ParagraphRow]
    rules: dict[str, RuleCoverage]
    problems: list[str]

    @property
    def complete(self) -> bool:
        return not self.problems


def _read_coverage_file(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputError(
            [
                problem_at(
                    path,
                    None,
                    "missing: it lists the review's paragraphs on "
                    "assessment, closure and discharge",
                )
            ]
        )
    # As rule files are read: bounded, safely, each field once, with lines.
    data, _ = read_yaml(path, error=InputError, what="the coverage file")
    items = data.get("paragraphs") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError([problem_at(path, None, "needs a list called paragraphs")])
    problems: list[Problem] = []
    out: list[dict[str, str]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("paragraph"), str):
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"paragraphs[{i}]",
                    'each entry needs a paragraph, written in quotes ("6.4.2")',
                )
            )
            continue
        unknown = set(item) - {"paragraph", "concerns", "not_checkable"}
        if unknown:
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"paragraphs[{i}]",
                    "unknown field " + quote(sorted(unknown)) + " (the fields are paragraph, "
                    "concerns and not_checkable)",
                )
            )
        out.append({k: str(v) for k, v in item.items() if v is not None})
    if problems:
        raise InputError(problems)
    return out


def coverage(rules: RuleSet, features_dir: Path, library: StepLibrary) -> Coverage:
    """Each paragraph listed in the coverage file -> the rules whose source names it -> the
    scenarios that show each rule passing, failing and not applying (counted from the Then
    steps that name the rule). Problems: a rule without a passing or a failing scenario, a
    paragraph no rule encodes that is not marked as not checkable (or one marked that a rule
    does encode)."""
    listed = _read_coverage_file(features_dir / COVERAGE_FILE)
    per_rule = {
        lr.rule.id: RuleCoverage(
            lr.rule.id, lr.rule.title, lr.rule.severity, lr.rule.source.paragraph
        )
        for lr in rules
    }
    for feature in read_features(features_dir):
        for sc in feature.scenarios:
            ref = ScenarioRef(sc.path, sc.line, sc.name)
            for step in sc.all_steps:
                if step.kind != "then":
                    continue
                found = library.matching("then", step.text)
                if len(found) != 1 or found[0].asserts is None:
                    continue
                rule = found[0].arguments(step.text).get("rule")
                if not isinstance(rule, str) or rule not in per_rule:
                    continue
                rc = per_rule[rule]
                bucket = {"pass": rc.passing, "fail": rc.failing}.get(
                    found[0].asserts, rc.not_applicable
                )
                if ref not in bucket:
                    bucket.append(ref)
    encoded: dict[str, list[str]] = {}
    for lr in rules:
        for p in paragraphs_of(lr.rule.source.paragraph):
            encoded.setdefault(p, []).append(lr.rule.id)
    problems: list[str] = []
    rows: list[ParagraphRow] = []
    seen: set[str] = set()
    for item in listed:
        p = item["paragraph"]
        seen.add(p)
        mark = item.get("not_checkable")
        by = tuple(encoded.get(p, []))
        rows.append(ParagraphRow(p, item.get("concerns", ""), by, mark))
        if not by and not mark:
            problems.append(
                f"paragraph {p} is encoded by no rule and is not marked not_checkable "
                f"(with the reason) in {COVERAGE_FILE}"
            )
        if by and mark:
            problems.append(
                f"paragraph {p} is marked not_checkable, but rule {', '.join(by)} "
                "encodes it: remove the mark"
            )
    for p in sorted(set(encoded) - seen, key=_paragraph_key):
        rows.append(ParagraphRow(p, "(not listed in the coverage file)", tuple(encoded[p]), None))
    rows.sort(key=lambda r: _paragraph_key(r.paragraph))
    for rc in per_rule.values():
        missing = [w for w, refs in (("passing", rc.passing), ("failing", rc.failing)) if not refs]
        if missing:
            problems.append(f"rule {rc.rule_id} has no {' and no '.join(missing)} scenario")
    return Coverage(rows, per_rule, problems)


def _paragraph_key(p: str) -> tuple[int, ...]:
    return tuple(int(x) for x in p.split("."))


def render_coverage(cov: Coverage) -> str:
    out = [
        "Paragraphs of the review on assessment, closure and discharge -> rules -> scenarios",
        "",
    ]
    width = max((len(r) for r in cov.rules), default=10)

    def counts(rc: RuleCoverage) -> str:
        return (
            f"{len(rc.passing):>3} passing  {len(rc.failing):>3} failing  "
            f"{len(rc.not_applicable):>3} not applicable"
        )

    for row in cov.paragraphs:
        out.append(f"{row.paragraph:<8} {row.concerns}")
        for r in row.rules:
            out.append(f"         {r:<{width}}  {counts(cov.rules[r])}")
        if not row.rules and row.not_checkable:
            text = "not checkable from a record: " + " ".join(row.not_checkable.split())
            out += textwrap.wrap(text, 96, initial_indent=" " * 9, subsequent_indent=" " * 11)
        elif not row.rules:
            out.append("         NOT ENCODED BY ANY RULE, and not marked as not checkable")
    other = [rc for rc in cov.rules.values() if not paragraphs_of(rc.source)]
    if other:
        out += ["", "Rules from other sources"]
        for rc in other:
            out.append(f"         {rc.rule_id:<{width}}  {counts(rc)}  ({rc.source})")
    mapped = sum(1 for r in cov.paragraphs if r.rules)
    marked = sum(1 for r in cov.paragraphs if not r.rules and r.not_checkable)
    out += [
        "",
        f"{len(cov.paragraphs)} paragraphs: {mapped} encoded by rules, {marked} not "
        f"checkable from a record. {len(cov.rules)} rules.",
    ]
    if cov.problems:
        out += ["", "Gaps:"] + [f"  - {p}" for p in cov.problems]
    else:
        out.append(
            "Every rule has a passing and a failing scenario, and every paragraph is "
            "encoded or marked."
        )
    return "\n".join(out) + "\n"
