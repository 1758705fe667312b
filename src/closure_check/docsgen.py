"""The parts of docs/ that are made from the code, so that they cannot drift from it: the tables
of docs/record-format.md (from the record's pydantic models: every field, its type, whether it
is required, what it means, the values of each enumeration) and the catalogue of docs/rules.md
(from the rule files: each rule's id, severity, paragraph, title, what it checks and why, who
may make a judgement on it; and the Terms' data from rules/_terms.yaml).

Each generated part sits in its document between two markers, and the prose around it is
written by hand:

    <!-- generated: catalogue (closure-check docs --write docs/) -->
    ...
    <!-- end generated: catalogue -->

`closure-check docs --write docs/` rewrites the parts; `closure-check docs` (and a test) says
which are out of date.
"""

from __future__ import annotations

import datetime
import re
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .errors import InputError, Problem
from .record.model import Record
from .rulefile import RuleSet
from .rulefile.effective import period

__all__ = [
    "DOCS_COMMAND",
    "GENERATED",
    "record_fields",
    "rule_catalogue",
    "stale_docs",
    "terms_data",
    "updated",
    "write_docs",
]

DOCS_COMMAND = "closure-check docs --write docs/"

# ---------------------------------------------------------------------------------------------
# docs/record-format.md: the record's models
# ---------------------------------------------------------------------------------------------


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """The record's models, the top level first, then each part where it is first used."""
    out: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in out:
            return
        out.append(model)
        for f in model.model_fields.values():
            for inner in _inner_models(f.annotation):
                visit(inner)

    visit(root)
    return out


def _inner_models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _inner_models(arg)


def _type(annotation: Any) -> str:
    """A field's type in words: `date`, `list of [Visit](#visit)`, `` `a` | `b` ``."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return " or ".join(_type(a) for a in args if a is not type(None))
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        return "list of " + _type(args[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    words = {str: "string", bool: "true or false", int: "whole number", datetime.date: "date"}
    return words.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _required(field: Any) -> str:
    if field.is_required():
        return "yes"
    if field.default_factory is list:
        return "no (empty)"
    if field.default is None:
        return "no"
    default = field.default
    return f"no ({str(default).lower() if isinstance(default, bool) else f'`{default}`'})"


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _doc(model: type[BaseModel]) -> str:
    doc = model.__doc__ or ""
    return " ".join(doc.split("\n\n")[0].split())


def record_fields(_rules: RuleSet | None = None) -> str:
    """Every part of the record, a section each: what it is, and a table of its fields."""
    out: list[str] = []
    for model in _models(Record):
        title = "Record (the top level)" if model is Record else model.__name__
        out += [f"### {title}", "", _doc(model), ""]
        out += ["| field | type | required | meaning |", "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            shown = field.alias or name
            out.append(
                f"| `{shown}` | {_type(field.annotation)} | {_required(field)} "
                f"| {_cell(field.description)} |"
            )
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# docs/rules.md: the rule files
# ---------------------------------------------------------------------------------------------

_APPLIES = {
    "assessment": "the record",
    "child": "each child",
    "person": "each adult",
    "agency": "each agency",
    "discharge": "each discharge",
}


def _anchor(rule_id: str) -> str:
    return "rule-" + rule_id


def _who_judges(rule: Any) -> tuple[str, str]:
    """Who may make a judgement on the rule's findings, and why, as its file says."""
    policy = getattr(rule, "judgements", None)
    if policy is None:
        return "nobody", ""
    by = policy.by
    who = ", ".join(f"`{r}`" for r in by) if isinstance(by, list) else str(by)
    return who, _cell(getattr(policy, "why", ""))


def rule_catalogue(rules: RuleSet) -> str:
    """The catalogue: a table of every rule, then each rule's own section."""
    out = [
        "| id | severity | paragraph | title | applies to |",
        "|---|---|---|---|---|",
    ]
    seen: set[str] = set()
    for lr in rules.rules:
        r = lr.rule
        if r.id in seen:
            continue
        seen.add(r.id)
        applies = "; ".join(dict.fromkeys(_APPLIES.get(p.subject, p.subject) for p in r.applies_to))
        out.append(
            f"| [`{r.id}`](#{_anchor(r.id)}) | {r.severity} | {_cell(r.source.paragraph)} "
            f"| {_cell(r.title)} | {applies} |"
        )
    out.append("")
    anchored: set[str] = set()
    for lr in rules.rules:
        r = lr.rule
        if r.id not in anchored:  # a rule with several versions (effective dates): one anchor
            anchored.add(r.id)
            out += [f'<a id="{_anchor(r.id)}"></a>', ""]
        out += [f"### `{r.id}`: {_cell(r.title)}", ""]
        facts = [
            f"- **Severity**: {r.severity}"
            + (" (a failure fails the record)" if r.severity == "blocker" else " (never fails)"),
            f"- **Source**: {_cell(r.source.paragraph)}, {_cell(r.source.document)}",
            f"- **File**: `rules/{lr.path.name}`",
        ]
        if r.effective is not None:
            facts.append(f"- **In force**: {period(lr)}")
        who, why = _who_judges(r)
        facts.append(
            f"- **Who may make a judgement on its findings**: {who}" + (f". {why}" if why else "")
        )
        if r.data:
            shown = "; ".join(f"`{k}` = {_value(v)}" for k, v in r.data.items())
            facts.append(f"- **Data** (thresholds and lists the rule uses): {shown}")
        out += [*facts, ""]
        out += [f"> {_cell(r.source.quote)}", ""]
        out += [f"**What it checks.** {_cell(r.checks)}", ""]
        out += [f"**Why.** {_cell(r.why)}", ""]
    return "\n".join(out)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{value}`" if isinstance(value, str) else str(value)


def _or(items: list[str]) -> str:
    shown = [f"`{i}`" for i in items]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def terms_data(rules: RuleSet) -> str:
    """The Terms' data (rules/_terms.yaml), which the policy team edits."""
    t = rules.terms_file
    out = [
        "- *Placeholders* (text that counts as absent): "
        + ", ".join(f"`{p}`" for p in t.placeholders)
        + ".",
        "- Relationships that make a person a parent: "
        + _or(t.parent_relationships)
        + ". A "
        + _or(t.step_parent_relationships)
        + " whose `parent_of` lists the child must be considered like a parent, but does not "
        "count towards the child's two parents.",
    ]
    words = getattr(t, "judgement_reason_min_words", None)
    if words is not None:
        out.append(f"- A judgement's reason is a reason only with at least {words} words.")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# The generated parts of each document, and rewriting them
# ---------------------------------------------------------------------------------------------

Part = Callable[[RuleSet], str]

GENERATED: dict[str, dict[str, Part]] = {
    "record-format.md": {"record fields": record_fields},
    "rules.md": {"terms": terms_data, "catalogue": rule_catalogue},
}


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- generated: {name} ({DOCS_COMMAND}) -->\n", f"<!-- end generated: {name} -->"


def updated(path: Path, text: str, parts: dict[str, Part], rules: RuleSet) -> str:
    """A document's text with each generated part made anew."""
    for name, make in parts.items():
        begin, end = _markers(name)
        found = re.search(re.escape(begin) + r"(.*?)" + re.escape(end), text, re.S)
        if found is None:
            raise InputError(
                [
                    Problem(
                        str(path),
                        None,
                        "",
                        f'has no generated part "{name}": put the two lines '
                        f"{begin.strip()} and {end} where it goes",
                    )
                ]
            )
        body = make(rules).rstrip("\n") + "\n"
        text = text[: found.start(1)] + body + text[found.end(1) :]
    return text


def _documents(docs_dir: Path, rules: RuleSet) -> Iterator[tuple[Path, str, str]]:
    for file, parts in GENERATED.items():
        path = docs_dir / file
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(
                [Problem(str(path), None, "", f"cannot be read ({e.strerror})")]
            ) from e
        yield path, text, updated(path, text, parts, rules)


def stale_docs(docs_dir: Path, rules: RuleSet) -> list[Path]:
    """The documents whose generated parts are out of date."""
    return [path for path, old, new in _documents(docs_dir, rules) if old != new]


def write_docs(docs_dir: Path, rules: RuleSet) -> list[Path]:
    """Rewrite the generated parts; the documents that changed."""
    changed = []
    for path, old, new in list(_documents(docs_dir, rules)):
        if old != new:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed
