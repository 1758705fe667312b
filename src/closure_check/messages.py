"""Message templates from rule files, rendered in jinja2's sandbox.

Rule files are untrusted input: a template may only read the values it is given. Anything that
reaches for Python internals (`''.__class__`, `x._private`) is refused when the rule is loaded,
and the sandbox refuses it again at render time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import Problem, RuleFileError


def _make_env(labels: Mapping[str, str]) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)

    def label(value: Any) -> str:
        """An enum value in plain words, from the labels in _terms.yaml."""
        text = str(value)
        return labels.get(text, text.replace("_", " "))

    def names(items: Any) -> str:
        """A list of names in plain English: "A, B and C"."""
        words = [str(i) for i in items]
        return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)

    env.filters["label"] = label
    env.filters["names"] = names
    return env


def _unsafe_nodes(ast: nodes.Template) -> list[str]:
    found = []
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Name):
            name = node.name
        else:
            arg = node.arg
            name = arg.value if isinstance(arg, nodes.Const) and isinstance(arg.value, str) else ""
        if name.startswith("_"):
            found.append(name)
    return found


class Messages:
    """Compiles every message template of a rules folder once, and renders them."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self._env = _make_env(labels)
        self._compiled: dict[str, Callable[..., str]] = {}

    def add(self, text: str, *, source: Path, field: str) -> None:
        """Compile one template; a template that is malformed or reaches for Python internals
        is a rule file error naming the file and the field."""
        if text in self._compiled:
            return
        try:
            ast = self._env.parse(text)
            unsafe = _unsafe_nodes(ast)
            if unsafe:
                raise RuleFileError([Problem(str(source), None, field,
                    f"a message may not use names that start with an underscore ({unsafe[0]})")])  # fmt: skip
            self._compiled[text] = self._env.from_string(text).render
        except TemplateError as e:
            raise RuleFileError(
                [Problem(str(source), getattr(e, "lineno", None), field, f"bad message: {e}")]
            ) from e

    def render(self, text: str, context: Mapping[str, Any]) -> str:
        try:
            return " ".join(self._compiled[text](**context).split())
        except TemplateError as e:
            return f"[this rule's message could not be written: {e}]"
