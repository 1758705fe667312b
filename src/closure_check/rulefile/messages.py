"""Message templates from rule files, rendered in jinja2's sandbox.

Rule files are untrusted input: a template may only read the values it is given. Anything that
reaches for Python internals (`''.__class__`, `x._private`) is refused when the rule is loaded,
and the sandbox refuses it again at render time. So is anything outside the small language
messages need (`_ALLOWED`): including or importing a template would read a file, and calling
methods, arithmetic, padding filters or loops inside loops could build gigabytes of text from a
short template, or take hours, for every record checked.
"""

from __future__ import annotations

import marshal
from collections.abc import Mapping
from pathlib import Path
from types import CodeType
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import Problem, RuleFileError


class FieldView:
    """The base of the views through which messages read a record's items (explain.py). A
    message's `x.y` of one reads its field `y` by `_field`, which gives the field's value (text,
    a number, a date, a list, another view: data, never a Python object's internals) or raises
    AttributeError. The sandbox never asks it for a name starting with an underscore: such a
    name, and any name that is not a field, meets the sandbox's checks as for any object."""

    __slots__ = ()

    def _field(self, name: str) -> Any:
        raise AttributeError(name)


class _Sandbox(ImmutableSandboxedEnvironment):
    """jinja2's sandbox, reading `x.y` of a dict as its key `y` first, and of a `FieldView` as
    its field `y`. Messages are given dicts and views of the record's items and name their
    fields: jinja's own order, a Python attribute first, then the sandbox's checks of it, is
    most of the cost of writing a message. The key's value is what `x["y"]` gives, the field's
    what `x.y` would have given past those checks; anything else goes through the sandbox."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        elif isinstance(obj, FieldView) and not attribute.startswith("_"):
            try:
                return obj._field(attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


def _make_env(labels: Mapping[str, str]) -> ImmutableSandboxedEnvironment:
    env = _Sandbox(undefined=StrictUndefined, autoescape=False)

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
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Const)):
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Name):
            name = node.name
        elif isinstance(node, nodes.Const):  # a name given as text: attr('__class__'), map(...)
            text = node.value
            name = text if isinstance(text, str) and text.isidentifier() else ""
        else:
            assert isinstance(node, nodes.Getitem)
            arg = node.arg
            name = arg.value if isinstance(arg, nodes.Const) and isinstance(arg.value, str) else ""
        if name.startswith("_"):
            found.append(name)
    return found


#: What a message may be made of: text, the values it is given (by name, attribute or key),
#: conditions, one level of loop, and the filters below.
_ALLOWED = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.Name, nodes.Getattr,
    nodes.Getitem, nodes.List, nodes.Tuple, nodes.Dict, nodes.Pair, nodes.Keyword, nodes.If,
    nodes.For, nodes.Assign, nodes.CondExpr, nodes.And, nodes.Or, nodes.Not, nodes.Compare,
    nodes.Operand, nodes.Concat, nodes.Filter, nodes.Test,
)  # fmt: skip
_FILTERS = frozenset((
    "label", "names", "map", "join", "length", "count", "first", "last", "list", "sort",
    "unique", "default", "d", "lower", "upper", "capitalize", "title", "trim", "string",
    "select", "reject", "selectattr", "rejectattr", "min", "max",
))  # fmt: skip
_WHAT = {
    nodes.Include: "include (it reads another file)",
    nodes.Import: "import (it reads another file)",
    nodes.FromImport: "import (it reads another file)",
    nodes.Extends: "extends (it reads another file)",
    nodes.Call: "calls to functions or methods",
    nodes.BinExpr: "arithmetic",
    nodes.UnaryExpr: "arithmetic",
}


def _refused(ast: nodes.Template) -> str | None:
    """Why a template uses more than a message may, or None."""
    for node in ast.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED):
            what = next((w for k, w in _WHAT.items() if isinstance(node, k)), None)
            return f"a message may not use {what or type(node).__name__.lower()}"
        if isinstance(node, nodes.Filter):
            names = [node.name]
            if node.name == "map" and node.args:
                arg = node.args[0]
                names.append(arg.value if isinstance(arg, nodes.Const) else "(a computed name)")
            for name in names:
                if name not in _FILTERS:
                    allowed = ", ".join(sorted(_FILTERS))
                    return f'a message may not use the filter "{name}" (it may use: {allowed})'
        if isinstance(node, nodes.For) and any(node.find_all(nodes.For)):
            return "a message may not loop inside a loop"
    return None


class Messages:
    """Compiles every message template of a rules folder once, and renders them."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self._env = _make_env(labels)
        self._compiled: dict[str, Template] = {}
        #: templates to compile when first written (`later`): text -> (file, field, code)
        self._later: dict[str, tuple[Path, str, bytes | None]] = {}
        #: each template's compiled Python code, marshalled: kept with a rules folder's checker
        #: in the user's cache (api.py), so that a later run need not compile it again
        self.code: dict[str, bytes] = {}

    def add(self, text: str, *, source: Path, field: str) -> None:
        """Compile one template; a template that is malformed or reaches for Python internals
        is a rule file error naming the file and the field."""
        if text in self._compiled:
            return
        try:
            ast = self._env.parse(text)
            unsafe = _unsafe_nodes(ast)
            why = _refused(ast)
            if unsafe:
                why = f"a message may not use names that start with an underscore ({unsafe[0]})"
            if why:
                raise RuleFileError([Problem(str(source), None, field, why)])
            code = self._env.compile(ast)
        except TemplateError as e:
            raise RuleFileError(
                [Problem(str(source), getattr(e, "lineno", None), field, f"bad message: {e}")]
            ) from e
        self.code[text] = marshal.dumps(code)
        self._compiled[text] = self._from_code(code)

    def add_compiled(self, text: str, code: bytes) -> None:
        """A template checked and compiled by `add` in an earlier run, from its `code`: only a
        checker from the user's cache, made from exactly these rules, passes it."""
        if text not in self._compiled:
            self.code[text] = code
            self._compiled[text] = self._from_code(marshal.loads(code))

    def later(self, text: str, *, source: Path, field: str, code: bytes | None) -> None:
        """A template checked by `add` in an earlier run, to be made when first written: from
        its `code` if there is one (only a checker from the user's cache, made from exactly
        these rules, passes it), else by `add`."""
        if text not in self._compiled:
            self._later[text] = (source, field, code)

    def _first_use(self, text: str) -> Template:
        source, field, code = self._later.pop(text)  # KeyError: a text never given
        if code is not None:
            self.add_compiled(text, code)
        else:
            self.add(text, source=source, field=field)
        return self._compiled[text]

    def _from_code(self, code: CodeType) -> Template:
        return self._env.template_class.from_code(self._env, code, self._env.make_globals(None))

    def render(self, text: str, context: dict[str, Any]) -> str:
        template = self._compiled.get(text)
        if template is None:
            template = self._first_use(text)
        try:
            # A context shared with no globals: messages use only the values they are given and
            # the filters above, and rendering this way costs half as much.
            parts = template.root_render_func(
                self._env.context_class(self._env, context, template.name, template.blocks)
            )
            return " ".join("".join(parts).split())
        except Exception as e:  # a filter given the wrong kind of value: keep the report
            return f"[this rule's message could not be written: {e}]"
