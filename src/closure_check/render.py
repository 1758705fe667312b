"""Render reports with the jinja2 templates in `templates/` (shipped as closure_check.templates)."""

from __future__ import annotations

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
from .report import Report, judgement_words


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
    )
    env.filters["words"] = lambda v: str(v).replace("_", " ")
    env.filters["capitalize_first"] = lambda v: str(v)[:1].upper() + str(v)[1:]
    env.filters["judgement_words"] = judgement_words
    env.filters["an"] = lambda v: ("an " if str(v)[:1] in "aeiou" else "a ") + str(v)
    return env


def _bytecode_cache() -> BytecodeCache | None:
    """Compiled templates kept in the user's cache (each checked against its template's text
    when loaded), so that a single check does not compile its report template every time."""
    folder = _cache.private_folder("templates")
    return FileSystemBytecodeCache(str(folder)) if folder is not None else None


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def report_text(report: Report) -> str:
    """The report a social worker reads first: the verdict, then what fails and how to fix it."""
    return render("report.txt", report=report)


def report_html(report: Report) -> str:
    """One self-contained page: no scripts, fonts or styles from anywhere else."""
    return render("report.html", report=report)
