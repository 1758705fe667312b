"""Effective dates: a rules folder may hold several versions of one rule id, each in force for
a period (`effective: {from, until}`, both ends inclusive, either open). Here, read from the
rule files alone: the versions of each rule, which one is in force on a date, and the overlaps
that make a folder unusable (each naming both files). Choosing the versions for a record and
checking it by them is dated.py's."""

from __future__ import annotations

from datetime import date

from ..errors import Problem
from ..words import date_words
from .model import LoadedRule, RuleSet

__all__ = ["in_force", "is_dated", "overlaps", "period", "versions"]


def is_dated(rules: RuleSet) -> bool:
    """Does any rule file of the folder say when it is in force? (The bundled rules do not.)"""
    return any(lr.rule.effective is not None for lr in rules.rules)


def _start(lr: LoadedRule) -> date:
    eff = lr.rule.effective
    return eff.from_ if eff is not None and eff.from_ is not None else date.min


def versions(rules: RuleSet) -> dict[str, list[LoadedRule]]:
    """Each rule id, in catalogue order, and its versions, earliest first."""
    out: dict[str, list[LoadedRule]] = {}
    for lr in rules.rules:
        out.setdefault(lr.rule.id, []).append(lr)
    for vs in out.values():
        vs.sort(key=_start)
    return out


def period(lr: LoadedRule) -> str:
    """When a version is in force, in words, its dates as people write them: "from 1 April
    2027", "until 31 March 2027", "1 January 2026 to 31 March 2027", "always"."""
    eff = lr.rule.effective
    start = eff.from_ if eff is not None else None
    end = eff.until if eff is not None else None
    if start is not None and end is not None:
        return f"{date_words(start)} to {date_words(end)}"
    if start is not None:
        return f"from {date_words(start)}"
    return f"until {date_words(end)}" if end is not None else "always"


def in_force(rules: RuleSet, day: date) -> dict[str, LoadedRule | None]:
    """For each rule id, the version in force on `day`, or None when none is."""
    return {
        rule_id: next(
            (v for v in vs if v.rule.effective is None or v.rule.effective.covers(day)), None
        )
        for rule_id, vs in versions(rules).items()
    }


def overlaps(rules: RuleSet) -> list[Problem]:
    """A problem for each two versions of one rule whose periods overlap, naming both files."""
    problems: list[Problem] = []
    for rule_id, vs in versions(rules).items():
        for i, first in enumerate(vs):
            for second in vs[i + 1 :]:
                a, b = first.rule.effective, second.rule.effective
                a_end = a.until if a is not None else None
                b_start = b.from_ if b is not None else None
                if a_end is not None and b_start is not None and a_end < b_start:
                    continue  # first ends before second starts (vs is sorted by start)
                problems.append(
                    Problem(
                        str(second.path),
                        None,
                        "effective",
                        f'this version of rule "{rule_id}" ({period(second)}) overlaps the '
                        f"version in {first.path.name} ({period(first)}): give each version "
                        "of a rule its own period, the one ending before the next begins",
                    )
                )
    return problems
