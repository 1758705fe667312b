"""Message templates from rule files, rendered in jinja2's sandbox.

Rule files are untrusted input: a template may only read the values it is given. Anything that
reaches for Python internals (`''.__class__`, `x._private`) is refused when the rule is loaded,
and the sandbox refuses it again at render time.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, nodes
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
        if len(words) < 2:
            return "".join(words)
        return ", ".join(words[:-1]) + " and " + words[-1]

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
            assert isinstance(node, nodes.Getitem)
            arg = node.arg
            name = arg.value if isinstance(arg, nodes.Const) and isinstance(arg.value, str) else ""
        if name.startswith("_"):
            found.append(name)
    return found


class Messages:
    """Compiles every message template of a rules folder once, and renders them."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self._env = _make_env(labels)
        self._compiled: dict[str, Template] = {}

    def add(self, text: str, *, source: Path, field: str) -> None:
        """Compile one template; a template that is malformed or reaches for Python internals
        is a rule file error naming the file and the field."""
        if text in self._compiled:
            return
        try:
            ast = self._env.parse(text)
            unsafe = _unsafe_nodes(ast)
            if unsafe:
                why = f"a message may not use names that start with an underscore ({unsafe[0]})"
                raise RuleFileError([Problem(str(source), None, field, why)])
            self._compiled[text] = self._env.from_string(text)
        except TemplateError as e:
            raise RuleFileError(
                [Problem(str(source), getattr(e, "lineno", None), field, f"bad message: {e}")]
            ) from e

    def render(self, text: str, context: dict[str, Any]) -> str:
        template = self._compiled[text]
        try:
            # A context shared with no globals: messages use only the values they are given and
            # the filters above, and rendering this way costs half as much.
            parts = template.root_render_func(template.new_context(context, shared=True))
            return " ".join("".join(parts).split())
        except TemplateError as e:
            return f"[this rule's message could not be written: {e}]"
