"""Documentation generated from the code, so that it cannot drift: docs/steps.md (the glossary
of the step library) and docs/rule-format.md's table of the facts a rule can test."""

from __future__ import annotations

from ..facts import FACTS, T
from .features import KEYWORD_OF
from .steps import STEP_LIBRARY, StepDef, StepLibrary

GLOSSARY_COMMAND = "closure-check scenarios --glossary > docs/steps.md"


def glossary(library: StepLibrary) -> str:
    """docs/steps.md: every step of the library, section by section, with its docstring and
    example, then the words each placeholder accepts."""
    out = [
        "# The steps scenarios can use",
        "",
        f"<!-- Generated from features/{STEP_LIBRARY} by `{GLOSSARY_COMMAND}`. Do not edit: "
        "a test fails when this file is out of date. -->",
        "",
        library.intro,
        "",
    ]
    by_function: dict[int, list[StepDef]] = {}
    for s in library.steps:
        by_function.setdefault(id(s.function), []).append(s)
    section = None
    for group in by_function.values():
        first = group[0]
        if first.section != section:
            section = first.section
            out += [f"## {section or KEYWORD_OF[first.kind]}", ""]
        for s in group:
            out.append(f"### `{KEYWORD_OF[s.kind]} {s.shown}`")
        out += ["", first.doc, ""]
        if first.examples:
            out += ["```gherkin", *first.examples, "```", ""]
    used = sorted({p for s in library.steps for p in s.placeholders})
    out += ["## What the placeholders stand for", ""]
    for name in used:
        desc = library.placeholders.get(name, "")
        out.append(f"- `<{name.replace('_', ' ')}>`: {desc}")
    out.append("")
    return "\n".join(out)


def facts_table() -> str:
    """The table of every fact kind and field a rule file may name, generated from FACTS."""
    out = ["| fact | field | type | meaning |", "|---|---|---|---|"]
    for kind, fields in FACTS.items():
        for name, spec in fields.items():
            kind_words = {
                T.BOOL: "yes/no",
                T.TEXT: "text",
                T.DATE: "date",
                T.OPT_DATE: "date, may be missing",
                T.INT: "number",
                T.ENUM: "one of",
                T.REF: "reference",
            }[spec.type]
            if spec.type is T.ENUM:
                kind_words += " " + ", ".join(f"`{v}`" for v in spec.values)
            elif spec.type is T.REF:
                kind_words += f" (to a {spec.ref})"
            meaning = spec.doc.replace("|", "\\|")
            out.append(f"| `{kind}` | `{name}` | {kind_words} | {meaning} |")
    return "\n".join(out) + "\n"
