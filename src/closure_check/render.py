"""Render reports with the jinja2 templates in `templates/` (shipped as closure_check.templates)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)

from . import cache as _cache
from .report import Finding, Report, RuleResult, judgement_words
from .words import with_article


@cache
def environment() -> Environment:
    folder = str(resources.files("closure_check.templates"))
    env = Environment(
        loader=FileSystemLoader(folder),
        # HTML templates end in .html: select_autoescape looks at the last extension only.
        autoescape=select_autoescape(["html"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
        # the templates are the installed package's own: never changed while it runs, so no
        # render need look at their files again
        auto_reload=False,
    )
    env.filters["words"] = lambda v: str(v).replace("_", " ")
    env.filters["capitalize_first"] = lambda v: str(v)[:1].upper() + str(v)[1:]
    env.filters["judgement_words"] = judgement_words
    env.filters["an"] = with_article
    env.filters["day"] = _day
    return env


def _day(value: Any) -> str:
    """An ISO date (as the JSON report holds it) as people write it: "13 June 2025"."""
    from .words import date_words

    return date_words(str(value)) if value else ""


def _bytecode_cache() -> BytecodeCache | None:
    """Compiled templates kept in the user's cache (each checked against its template's text
    when loaded), so that a single check does not compile its report template every time."""
    folder = _cache.private_folder("templates")
    return FileSystemBytecodeCache(str(folder)) if folder is not None else None


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def report_text(report: Report, *, verbose: bool = False) -> str:
    """The report a social worker reads first: the verdict, then what fails, child by child and
    adult by adult, and how to put it right; passes and rules that do not apply in a line
    (each one with `verbose`); where the report comes from in a footer."""
    return render("report.txt", report=report, groups=failing_groups(report), verbose=verbose)


def report_html(report: Report) -> str:
    """One self-contained page: no scripts, fonts or styles from anywhere else."""
    return render("report.html", report=report, groups=failing_groups(report))


# -- What fails, by whom it is about ------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """The failing findings about one subject (the assessment, a child, an adult, an agency)."""

    subject: str
    name: str
    items: tuple[tuple[RuleResult, Finding], ...]

    @property
    def label(self) -> str:
        if self.subject == "assessment":
            return "The assessment"
        shown = self.name[:1].upper() + self.name[1:]
        return shown if self.name == self.subject else f"{shown} [{self.subject}]"


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))


def failing_groups(report: Report) -> tuple[Group, ...]:
    """The failing findings grouped by subject, blockers before advisories within a group. The
    order is the one a worker acts in: the assessment, then children and adults in the order
    the rules first speak of them (the rules speak of children first), by id within a rule,
    then agencies (whose id is their name)."""
    order: list[str] = []
    for r in report.results:
        new = sorted({f.subject for f in r.findings} - set(order), key=_natural)
        order.extend(new)
    names: dict[str, str] = {}
    found: dict[str, list[tuple[RuleResult, Finding]]] = {}
    for r in report.results:
        for f in r.findings:
            if f.status == "fail":
                names[f.subject] = f.name
                found.setdefault(f.subject, []).append((r, f))

    def rank(subject: str) -> tuple[int, int]:
        kind = 0 if subject == "assessment" else 2 if names[subject] == subject else 1
        return (kind, order.index(subject))

    return tuple(
        Group(s, names[s], tuple(sorted(found[s], key=lambda rf: rf[0].severity != "blocker")))
        for s in sorted(found, key=rank)
    )
