"""The lint's reading of who is in a scenario: a step that names a child, an adult or an agency
the scenario never introduced is a mistake, found before any scenario runs.

Nothing here knows the library's sentences. The scenario's Given steps are run, as the library
writes them, on the library's own scenario state (the fixture each step function takes, made
afresh for the scenario), so that the library alone decides who a sentence introduces (the
first sentence's child and the default parents, "another child ...", an adult, a table, a
discharge) and who it removes; a Given step naming somebody who is not there fails there, in
the library's own words. The record the steps describe then gives every name the Then steps
may use, and each name a Then step's named arguments hold (`subjects`, `name`) is looked up in
it. Nothing is checked against the rules: no When step runs.
"""

from __future__ import annotations

import difflib
import inspect
import re
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import Problem
from ._text import clip, problem_at, quote
from .features import Step
from .steps import StepDef, StepLibrary

#: The named arguments of Then steps that hold the names of the subjects findings are about.
SUBJECT_ARGUMENTS = ("subjects", "name")
#: How findings name the record as a whole (facts.py gives its subject this name).
THE_ASSESSMENT = "the assessment"


def unintroduced(path: str, steps: Sequence[Step], library: StepLibrary) -> list[Problem]:
    """Problems with the people and agencies one scenario's steps name (background first).
    Steps the lint has already found wrong (undefined, ambiguous) are left out."""
    matched: list[tuple[Step, StepDef]] = []
    for step in steps:
        found = library.matching(step.kind, step.text)
        if len(found) == 1:
            matched.append((step, found[0]))
    fixtures: dict[type, Any] = {}
    problems: list[Problem] = []
    givens: list[tuple[Step, StepDef]] = []
    known: list[str] | None = None
    for step, sd in matched:
        if step.kind == "given":
            givens.append((step, sd))
            why = _run_given(step, sd, fixtures)
            if why is not None:
                problems.append(problem_at(path, step.line, why))
            continue
        if known is None:
            found_names = _names_in_record(fixtures)
            if isinstance(found_names, str):  # a name the record cannot refer to
                line = _step_naming(found_names, givens) or step.line
                return [*problems, problem_at(path, line, found_names)]
            if found_names is None:  # the library keeps no record to read names from
                return problems
            known = found_names
        if step.kind == "then":
            problems += _check_names(path, step, sd, known)
    return problems


def _step_naming(message: str, givens: list[tuple[Step, StepDef]]) -> int | None:
    """The line of the last Given step that names what a message quotes first."""
    quoted = re.search(r'"([^"]+)"', message)
    if quoted is None:
        return None
    name = quoted.group(1)
    for step, _ in reversed(givens):
        cells = [c for row in step.table or () for c in row]
        if re.search(rf"\b{re.escape(name)}\b", " ".join([step.text, *cells])):
            return step.line
    return None


def _run_given(step: Step, sd: StepDef, fixtures: dict[type, Any]) -> str | None:
    """Run one Given step on the scenario's state; why it cannot do what it says, if so."""
    func = sd.function
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # an annotation the lint cannot resolve: leave the step to the runner
        return None
    kwargs: dict[str, Any] = {}
    for name in inspect.signature(func).parameters:
        if name == "datatable":
            kwargs[name] = [list(row) for row in step.table or ()]
            continue
        hint = hints.get(name)
        if name in sd.placeholders or not isinstance(hint, type):
            continue
        if hint not in fixtures:
            try:
                fixtures[hint] = hint()
            except Exception:
                return None
        kwargs[name] = fixtures[hint]
    try:
        kwargs |= sd.arguments(step.text)
        func(**kwargs)
    except Exception as e:
        if type(e).__module__ == func.__module__:  # the library's own words
            return str(e)
        return f"this step fails before anything is checked ({type(e).__name__}: {e})"
    return None


def _names_in_record(fixtures: dict[type, Any]) -> list[str] | str | None:
    """Every name a finding may give in the record the Given steps describe; why the library
    cannot make that record (in its own words); or None when it keeps no record."""
    for state in fixtures.values():
        record = getattr(state, "record", None)
        if not callable(record):
            continue
        try:
            data = record()
        except Exception as e:
            if type(e).__module__ == type(state).__module__:
                return str(e)
            return None  # a record the runner would fail to make: it says why
        if not isinstance(data, dict):
            return None
        names = [THE_ASSESSMENT]
        for section in ("children", "people", "agencies"):
            names += [str(x["name"]) for x in data.get(section) or [] if "name" in x]
        closure = data.get("closure") or {}
        names += [str(x["agency"]) for x in closure.get("notified") or [] if "agency" in x]
        return names
    return None


def _check_names(path: str, step: Step, sd: StepDef, known: list[str]) -> list[Problem]:
    args = sd.arguments(step.text)
    problems: list[Problem] = []
    for arg in SUBJECT_ARGUMENTS:
        value = args.get(arg)
        if not isinstance(value, str):
            continue
        for name in split_names(value, known) if arg == "subjects" else [value.strip()]:
            if name in known:
                continue
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"? If not, ' if close else ""
            problems.append(
                problem_at(
                    path,
                    step.line,
                    f'this step names "{clip(name)}", whom the scenario never introduced (it has '
                    f"{quote(known)}): {hint}introduce them with a Given step before the "
                    "assessment is checked",
                )
            )
    return problems


def split_names(text: str, known: Iterable[str]) -> list[str]:
    """ "Noor", "Noor and Amir", "Lee, Amir and Health Visiting": names split on commas and
    "and", keeping a known name whole when it holds them ("Health and Wellbeing")."""
    known = set(known)
    text = text.strip()
    if text in known:
        return [text]
    parts = [p.strip() for p in re.split(r",\s*|\s+and\s+", text) if p.strip()]
    out: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            whole = next(
                (c for c in (" and ".join(parts[i:j]), ", ".join(parts[i:j])) if c in known), None
            )
            if whole is not None:
                out.append(whole)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return out
