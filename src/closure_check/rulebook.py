"""The rulebook (`rules book`): the rules in force on a date as a document for managers, made
from the rule files alone: a contents list, and for each rule its title, severity, the review
paragraph quoted, what it checks and why, who may make a judgement on its findings, and its
examples as small tables of what each example's record holds. As one web page
(templates/rulebook.html: a page per rule in print) or as Markdown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .output import csp_hash
from .report import role_words
from .rulefile import LoadedRule, RuleSet
from .rulefile.effective import in_force, is_dated, period
from .words import date_words

__all__ = ["Entry", "book_entries", "html_book", "markdown_book", "rows_of"]

_EXPECT = {"pass": "passes", "fail": "fails", "not_applicable": "does not apply"}
_SEVERITY = {
    "blocker": "Blocker: a failure stops the assessment being completed.",
    "advisory": "Advisory: reported, but never fails the record.",
}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "(none)"
    return str(value)


def rows_of(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A record's fields as (field, value) rows, in plain words: `children 1, seen 1, how`."""
    if isinstance(data, dict):
        if not data:
            return [(prefix, "(empty)")] if prefix else []
        out: list[tuple[str, str]] = []
        for k, v in data.items():
            out += rows_of(v, f"{prefix}, {k}" if prefix else str(k))
        return out
    if isinstance(data, list):
        if not data:
            return [(prefix, "(none)")]
        if all(not isinstance(x, dict | list) for x in data):
            return [(prefix, ", ".join(_value(x) for x in data))]
        out = []
        for i, v in enumerate(data, 1):
            out += rows_of(v, f"{prefix} {i}")
        return out
    return [(prefix, _value(data))]


def judgements_text(lr: LoadedRule, labels: Mapping[str, str]) -> str:
    """Who may make a judgement on the rule's findings, as its file says: each role in the
    words of the terms' `labels` ("a supervisor"), as the rules' messages name it."""
    policy = getattr(lr.rule, "judgements", None)
    if policy is None:
        return "The rule file does not say who may make a judgement on its findings."
    by = policy.by
    if by == "anyone":
        who = "Anyone may make a judgement on its findings."
    elif by == "nobody":
        who = "Nobody may make a judgement on its findings."
    else:
        roles = [role_words(r, labels) for r in by]
        who = f"Only {' or '.join(roles)} may make a judgement on its findings."
    return f"{who} {policy.why}"


@dataclass(frozen=True)
class Example:
    name: str
    outcome: str  # "passes", "fails for C1", "does not apply"
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Entry:
    anchor: str
    lr: LoadedRule
    severity: str
    judgements: str
    version: str  # "" for a folder without effective dates
    examples: list[Example]


def book_entries(rules: RuleSet, on: date) -> list[Entry]:
    """Each rule in force on `on`, in catalogue order."""
    dated = is_dated(rules)
    entries = []
    for lr in in_force(rules, on).values():
        if lr is None:
            continue
        r = lr.rule
        examples = []
        for ex in r.examples:
            outcome = _EXPECT[ex.expect]
            if ex.failing:
                outcome += " for " + ", ".join(ex.failing)
            rows = rows_of(ex.record) or [("", "the example record as it is")]
            examples.append(Example(ex.name, outcome, rows))
        version = f"{lr.path.name}, in force {period(lr)}" if dated else ""
        judgements = judgements_text(lr, rules.terms_file.labels)
        entries.append(Entry(r.id, lr, _SEVERITY[r.severity], judgements, version, examples))
    return entries


def html_book(rules: RuleSet, on: date) -> str:
    from .render import environment

    return (
        environment()
        .get_template("rulebook.html")
        .render(
            entries=book_entries(rules, on),
            on=date_words(on),
            version=rules.version,
            base=rows_of(rules.terms_file.example_base),
            csp_hash=csp_hash,
        )
    )


def _md(text: str) -> str:
    """Text for a Markdown table cell or line: no pipe breaks the table, no newline the row."""
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown_book(rules: RuleSet, on: date) -> str:
    entries = book_entries(rules, on)
    out = [
        f"# The rulebook: the rules in force on {date_words(on)}",
        "",
        f"Rules version `{rules.version}`. Made by `closure-check rules book` from the rule "
        "files alone. Each example starts from the example record at the end of this "
        "document and changes only what its table shows.",
        "",
        "## Contents",
        "",
    ]
    out += [f"{i}. [{_md(e.lr.rule.title)}](#{e.anchor})" for i, e in enumerate(entries, 1)]
    for e in entries:
        r = e.lr.rule
        out += [
            "",
            f'<a id="{e.anchor}"></a>',
            "",
            f"## {_md(r.title)}",
            "",
            f"Rule `{r.id}`. {e.severity}",
        ]
        if e.version:
            out += ["", f"Version: {e.version}."]
        out += [
            "",
            f"**The review**, paragraph {r.source.paragraph} ({_md(r.source.document)}):",
            "",
            f"> {_md(r.source.quote)}",
            "",
            f"**What it checks.** {_md(r.checks)}",
            "",
            f"**Why it matters.** {_md(r.why)}",
            "",
            f"**Who may make a judgement.** {_md(e.judgements)}",
        ]
        if e.examples:
            out += ["", "### Examples"]
        for ex in e.examples:
            out += [
                "",
                f"**{_md(ex.name)}**: the rule {ex.outcome}.",
                "",
                "| field | value |",
                "|---|---|",
            ]
            out += [f"| {_md(k)} | {_md(v)} |" for k, v in ex.rows]
    out += ["", "## The example record", "", "| field | value |", "|---|---|"]
    out += [f"| {_md(k)} | {_md(v)} |" for k, v in rows_of(rules.terms_file.example_base)]
    return "\n".join(out) + "\n"
