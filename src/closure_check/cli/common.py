"""Pieces every command shares: the exit statuses, dates as options, the rules option, and
turning a user's mistake into a message instead of a traceback.

Only click and closure_check.errors are imported here, so that `closure-check --help` starts
quickly: each command imports the library when it runs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import IntEnum
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import EngineError, InputError, Problem, RuleFileError


class ExitStatus(IntEnum):
    """What every command's exit status means."""

    PASS = 0  # every record passes (or: identical, clean, complete)
    FAIL = 1  # a record fails (or: different, problems found, a gap)
    INPUT = 2  # the user's input cannot be used: nothing was checked
    INTERNAL = 3  # the checker itself failed: never the user's mistake


F = TypeVar("F", bound=Callable[..., Any])


class IsoDate(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)


def problem_line(p: Problem, *, line_apart: bool = True) -> str:
    """A problem as people read it, on one line: `FILE: field.path: what is wrong`, then the
    line of the field and the path in words (counting from one, naming the child or adult),
    and how to put it right, if known: `... (line 63: second child (Tyler), first visit: how).
    To put it right: did you mean "in_person"?`. A problem with no field (a syntax error), and
    a rule file's problems (`line_apart` false), read `FILE:LINE: field: ...`."""
    if not p.path or p.line is None or not line_apart:
        text = str(p)
        if p.where:
            text += f" ({p.where})"
    else:
        where = f"line {p.line}" + (f": {p.where}" if p.where else "")
        text = f"{p.source}: {p.path}: {p.message} ({where})"
    if p.hint:
        text += f". To put it right: {p.hint}"
    return text


def problems_json(problems: list[Problem]) -> str:
    """The problems as JSON for scripts: `{"problems": [{source, line, path, message, code,
    where, hint}]}` (docs/report-format.md, *Input errors*)."""
    import json

    keys = ("source", "line", "path", "message", "code", "where", "hint")
    listed = [{k: getattr(p, k) for k in keys} for p in problems]
    return json.dumps({"problems": listed}, indent=2, ensure_ascii=False) + "\n"


def _problems_exit(e: InputError, *, as_json: bool = False) -> None:
    if as_json:
        click.echo(problems_json(e.problems), nl=False)
    else:
        for p in e.problems:
            click.echo(problem_line(p, line_apart=not isinstance(e, RuleFileError)), err=True)
    n = len(e.problems)
    click.echo(
        f"closure-check: {n} problem{'s' if n != 1 else ''} found; nothing was checked.", err=True
    )
    sys.exit(ExitStatus.INPUT)


def user_errors(func: F) -> F:
    """Turn the user's mistakes into messages and exit 2, and the checker's into exit 3. A
    command called with `--format json` (its `fmt` argument) prints the problems as JSON on
    standard output instead (and their count on standard error)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as e:
            _problems_exit(e, as_json=kwargs.get("fmt") == "json" and kwargs.get("output") is None)
        except EngineError as e:
            click.echo(f"closure-check: internal error: {e}", err=True)
            sys.exit(ExitStatus.INTERNAL)

    return wrapper  # type: ignore[return-value]


rules_option = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A rules folder to use instead of the bundled rules (a policy team's draft).",
)
as_of_option = click.option(
    "--as-of",
    "as_of",
    type=IsoDate(),
    default=None,
    help="The date the check is made as of (default: today); a date in the record after it is "
    "an input error.",
)
workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1, max=256),
    default=1,
    show_default=True,
    help="Check in this many processes at once.",
)
