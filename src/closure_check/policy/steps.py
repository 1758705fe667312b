"""The step library (`features/conftest.py`) read as data: its sentences, their docstrings and
the words they accept, so that the lint, the coverage and the glossary speak of the same steps
the scenarios run with. Nothing here decides what a step means; the library does.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
import inspect
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from pytest_bdd.parsers import StepParser
from pytest_bdd.steps import step_function_context_registry

from ..errors import InputError
from ._text import problem_at

STEP_LIBRARY = "conftest.py"


class Vocabulary(Protocol):
    """The words one kind of placeholder accepts (features/conftest.py's `Vocab`)."""

    what: str

    def accepts(self, text: str) -> bool: ...

    def shown(self) -> list[str]: ...


@dataclass(frozen=True)
class StepDef:
    """One sentence of the step library."""

    kind: str  # given, when or then
    pattern: str  # as written in the library: "the child {child} was seen {how} on {date:Date}"
    parser: StepParser = field(compare=False, repr=False)
    function: Callable[..., Any] = field(compare=False, repr=False)
    line: int  # of the step function in the library
    section: str
    doc: str
    examples: tuple[str, ...]  # example lines from the docstring, tables included
    takes_table: bool
    asserts: str | None  # "pass", "fail" or "not_applicable" for steps asserting a status

    @property
    def shown(self) -> str:
        """The sentence with its placeholders as <words>."""
        return re.sub(
            r"\{(\w+)(?::[^}]*)?\}", lambda m: f"<{m.group(1).replace('_', ' ')}>", self.pattern
        )

    @property
    def placeholders(self) -> list[str]:
        return re.findall(r"\{(\w+)(?::[^}]*)?\}", self.pattern)

    def matches(self, text: str) -> bool:
        return bool(self.parser.is_matching(text))

    def arguments(self, text: str) -> dict[str, Any]:
        return dict(self.parser.parse_arguments(text) or {})

    @property
    def example_steps(self) -> list[tuple[str, str, list[str]]]:
        """(keyword, text, table lines) for each example step in the docstring."""
        out: list[tuple[str, str, list[str]]] = []
        for line in self.examples:
            m = re.match(r"(Given|When|Then|And|But) (.*)$", line.strip())
            if m:
                out.append((m.group(1), m.group(2), []))
            elif line.strip().startswith("|") and out:
                out[-1][2].append(line.strip())
        return out


@dataclass(frozen=True)
class StepLibrary:
    path: Path
    intro: str
    steps: tuple[StepDef, ...]
    placeholders: Mapping[str, str]
    vocabularies: Mapping[str, Vocabulary]

    def matching(self, kind: str, text: str) -> list[StepDef]:
        return [s for s in self.steps if s.kind == kind and s.matches(text)]

    def closest(self, text: str) -> StepDef | None:
        """The step whose example or pattern reads most like `text` (difflib)."""
        best: tuple[float, StepDef] | None = None
        for s in self.steps:
            candidates = [s.shown] + [t for _, t, _ in s.example_steps]
            score = max(
                difflib.SequenceMatcher(None, text.lower(), c.lower()).ratio() for c in candidates
            )
            if best is None or score > best[0]:
                best = (score, s)
        return best[1] if best is not None and best[0] >= 0.45 else None


_libraries: dict[tuple[str, int, int], StepLibrary] = {}


def load_step_library(features_dir: Path) -> StepLibrary:
    """Import a features folder's step library (its conftest.py) and describe its steps."""
    path = (features_dir / STEP_LIBRARY).resolve()
    if not path.is_file():
        raise InputError(
            [
                problem_at(
                    features_dir / STEP_LIBRARY,
                    None,
                    "missing: a features folder needs its step library (copy features/conftest.py)",
                )
            ]
        )
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key in _libraries:
        return _libraries[key]
    name = "closure_check_steps_" + hashlib.sha256(repr(key).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # a broken library is the user's input, not our crash
        del sys.modules[name]
        why = (
            "the step library cannot be loaded, so no step can be checked: ask whoever looks "
            f"after it to mend it (detail for them: {type(e).__name__}: {e})"
        )
        raise InputError([problem_at(path, None, why)]) from e
    library = _describe(module, path)
    _libraries[key] = library
    return library


def _sections(source: str) -> list[tuple[int, str]]:
    return [
        (i, m.group(1).strip())
        for i, line in enumerate(source.splitlines(), 1)
        if (m := re.match(r"^# == (.+?) ==\s*$", line))
    ]


def _describe(module: ModuleType, path: Path) -> StepLibrary:
    sections = _sections(path.read_text(encoding="utf-8"))
    steps: list[StepDef] = []
    for context in list(step_function_context_registry.values()):
        func = context.step_func
        if getattr(func, "__module__", None) != module.__name__ or context.type is None:
            continue
        line = func.__code__.co_firstlineno
        section = next((s for i, s in reversed(sections) if i < line), "")
        doc, examples = _split_doc(inspect.getdoc(func) or "")
        steps.append(
            StepDef(
                kind=context.type,
                pattern=context.parser.name,
                parser=context.parser,
                function=func,
                line=line,
                section=section,
                doc=doc,
                examples=examples,
                takes_table="datatable" in inspect.signature(func).parameters,
                asserts=getattr(func, "asserts", None),
            )
        )
    steps.sort(key=lambda s: s.line)
    placeholders = dict(getattr(module, "PLACEHOLDERS", {}))
    vocabularies = dict(getattr(module, "VOCABULARIES", {}))
    return StepLibrary(
        path, inspect.cleandoc(module.__doc__ or ""), tuple(steps), placeholders, vocabularies
    )


def _split_doc(doc: str) -> tuple[str, tuple[str, ...]]:
    head, sep, tail = doc.partition("\nExample:\n")
    if not sep:
        return doc.strip(), ()
    lines = tail.splitlines()
    indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return head.strip(), tuple(x[indent:].rstrip() for x in lines if x.strip())
