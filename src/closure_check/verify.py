"""Verify a report kept in a case file: check its record again, as of the report's date, and say
whether the result is identical.

A JSON report (`closure-check check --format json`) records what was decided (the verdict, each
rule's status and findings) and how (the as-of date, `rules_version`, `tool_version`, and the
SHA-256 of the record file). `verify` re-runs the check with the report's as-of date and compares
what was decided, field by field: any difference is listed in plain words. A difference in how
the report was made (other rules, another version of the tool, another record file) is not a
difference in the result, but it is worth knowing, so it is a warning.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from .api import check_file
from .checker import Checker
from .errors import InputError, Problem
from .sources import decode_json, read_text
from .words import date_words

#: Fields that say how a report was made rather than what it found.
PROVENANCE = ("tool_version", "rules_version", "input_sha256")

_MISSING = object()


@dataclass(frozen=True)
class Verification:
    """What checking a record again said about its report."""

    report: Path
    record: Path
    as_of: date
    verdict: str  # the verdict checking again gives
    differences: tuple[str, ...]  # what the report says that checking again does not
    warnings: tuple[str, ...]  # differences in how the report was made

    @property
    def identical(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        """The answer in plain words, for a person deciding whether to rely on the report."""
        again = f"checking {self.record} again as of {date_words(self.as_of)}"
        if self.identical:
            return (
                f"Identical: {again} gives exactly the result in {self.report} "
                f"(verdict: {self.verdict}).\n"
            )
        lines = [
            f"Different: {again} does not give the result in {self.report}. What differs:",
            *(f"  - {d}" for d in self.differences),
        ]
        return "\n".join(lines) + "\n"


def read_report(path: Path) -> dict[str, Any]:
    """A JSON report as `check --format json` writes it. InputError, naming the file and the
    field, for anything that is not one (a text or HTML report, a file that is not JSON, a
    field given twice, no as-of date to check again with)."""
    source = str(path)

    def fail(field: str, message: str) -> NoReturn:
        raise InputError([Problem(source, None, field, message)])

    text = read_text(path)
    try:
        data = decode_json(text, source=source)
    except InputError as e:
        if any(not p.path for p in e.problems):  # not JSON at all, or nothing in it
            fail("", "is not a JSON report (closure-check check --format json writes one)")
        raise  # a field given twice, or NaN: named by its path
    if not isinstance(data, dict):
        fail("", "is not a closure-check report (a JSON object {...} was expected)")
    results = data.get("results")
    if not isinstance(results, list):
        fail("results", "is missing or is not a list: this is not a closure-check report")
    for i, result in enumerate(results):
        if not isinstance(result, dict) or not isinstance(result.get("rule"), str):
            fail(f"results[{i}]", "is not a rule's result (it has no rule id)")
    if "verdict" not in data:
        fail("verdict", "is missing: this is not a closure-check report")
    as_of = data.get("as_of")
    try:
        if not isinstance(as_of, str):
            raise ValueError
        day = date.fromisoformat(as_of)
    except ValueError:
        fail("as_of", "is missing or is not a date (YYYY-MM-DD): the check cannot be made again")
    if day.isoformat() != as_of:
        fail("as_of", f'"{as_of}" is not a date written YYYY-MM-DD')
    return data


def verify(report: Path, record: Path, checker: Checker) -> Verification:
    """Check `record` again as of the date in `report`, with `checker`'s rules, and compare."""
    old = read_report(report)
    as_of = date.fromisoformat(old["as_of"])
    fresh = check_file(record, checker, as_of=as_of)
    new: dict[str, Any] = json.loads(fresh.to_json())
    return Verification(
        report=report,
        record=record,
        as_of=as_of,
        verdict=fresh.verdict,
        differences=tuple(differences(old, new)),
        warnings=tuple(warnings(old, new, record)),
    )


def _show(value: Any) -> str:
    if value is _MISSING:
        return "none"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def differences(old: dict[str, Any], new: dict[str, Any]) -> Iterator[str]:
    """Every way in which what the report `old` found differs from what checking again found
    (`new`), in plain words; nothing if the two are identical but for PROVENANCE."""
    if old.get("verdict") != new["verdict"]:
        yield (
            f"verdict: the report says {_show(old.get('verdict', _MISSING))}; "
            f"checked again, it is {_show(new['verdict'])}"
        )
    for key in dict.fromkeys([*old, *new]):
        if key in (*PROVENANCE, "verdict", "results"):
            continue
        before, after = old.get(key, _MISSING), new.get(key, _MISSING)
        if before != after:
            yield f"{key}: the report says {_show(before)}; checked again, it is {_show(after)}"
    yield from _rule_differences(old["results"], new["results"])


def _by(items: list[Any], key: str) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = {}
    for item in items:
        out.setdefault(item.get(key) if isinstance(item, dict) else None, []).append(item)
    return out


def _rule_differences(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Iterator[str]:
    old_by, new_by = _by(old, "rule"), _by(new, "rule")
    for rule in dict.fromkeys([*new_by, *old_by]):
        was, now = old_by.get(rule, []), new_by.get(rule, [])
        if not was:
            yield f"rule {rule}: not in the report; checked again, it is {now[0]['status']}"
            continue
        if not now:
            yield (
                f"rule {rule}: in the report ({_show(was[0].get('status', _MISSING))}), but not "
                "among the rules it was checked with again"
            )
            continue
        if len(was) > 1:
            yield f"rule {rule}: the report gives it {len(was)} times"
        before, after = was[0], now[0]
        if before.get("status") != after["status"]:
            yield (
                f"rule {rule}: the report says {_show(before.get('status', _MISSING))}; "
                f"checked again, it is {_show(after['status'])}"
            )
        for key in dict.fromkeys([*before, *after]):
            if key in ("rule", "status", "findings"):
                continue
            b, a = before.get(key, _MISSING), after.get(key, _MISSING)
            if b != a:
                yield (
                    f"rule {rule}: its {key} is {_show(b)} in the report; checked again, {_show(a)}"
                )
        findings = before.get("findings")
        if not isinstance(findings, list):
            yield f"rule {rule}: the report's findings are not a list"
            continue
        yield from _finding_differences(rule, findings, after["findings"])
    if [r.get("rule") for r in old] != [r["rule"] for r in new] and set(old_by) == set(new_by):
        yield "the rules are not in the catalogue's order in the report"


def _finding_differences(rule: str, old: list[Any], new: list[dict[str, Any]]) -> Iterator[str]:
    old_by, new_by = _by(old, "subject"), _by(new, "subject")
    for subject in dict.fromkeys([*new_by, *old_by]):
        was, now = old_by.get(subject, []), new_by.get(subject, [])
        where = f"rule {rule}, {subject}"
        if was == now:
            continue
        if not was:
            for f in now:
                yield (
                    f"{where}: checked again, it is {f['status']} ({_show(f['message'])}); "
                    "the report has no such finding"
                )
            continue
        if not now:
            for f in was:
                status = f.get("status", _MISSING) if isinstance(f, dict) else _MISSING
                yield (
                    f"{where}: the report has a finding ({_show(status)}) that checking again "
                    "does not"
                )
            continue
        if len(was) != len(now):
            yield f"{where}: the report has {len(was)} findings; checked again, {len(now)}"
        for b, a in zip(was, now, strict=False):
            if b == a:
                continue
            if not isinstance(b, dict):
                yield f"{where}: the report's finding is not a finding: {_show(b)}"
                continue
            told = False
            if b.get("status") != a["status"]:
                told = True
                yield (
                    f"{where}: the report says {_show(b.get('status', _MISSING))}; "
                    f"checked again, it is {_show(a['status'])}"
                )
            if b.get("message") != a["message"]:
                told = True
                yield (
                    f"{where}: the report's message is {_show(b.get('message', _MISSING))}; "
                    f"checked again, it is {_show(a['message'])}"
                )
            if not told:
                keys = [
                    k for k in dict.fromkeys([*b, *a]) if b.get(k, _MISSING) != a.get(k, _MISSING)
                ]
                yield f"{where}: the finding's {', '.join(keys)} differ"


def warnings(old: dict[str, Any], new: dict[str, Any], record: Path) -> Iterator[str]:
    """Differences in how the report was made, which do not by themselves change its result."""
    if old.get("rules_version") != new["rules_version"]:
        yield (
            f"the report was made with rules version {_show(old.get('rules_version', _MISSING))}, "
            f"but it was checked again with rules version {_show(new['rules_version'])}: give "
            "the rules it was made with (--rules DIR) to reproduce it exactly"
        )
    sha = old.get("input_sha256")
    if sha is None:
        yield (
            "the report does not record the SHA-256 of the record it was made from, so it "
            f"cannot show that {record} is that record"
        )
    elif sha != new["input_sha256"]:
        yield (
            f"{record} is not the file the report was made from: its SHA-256 is "
            f"{new['input_sha256']}, the report's is {sha}"
        )
    if old.get("tool_version") != new["tool_version"]:
        yield (
            f"the report was made by closure-check {_show(old.get('tool_version', _MISSING))}; "
            f"this is closure-check {new['tool_version']}"
        )
