"""The one safe YAML loader, for records and rule files alike.

Safe loading only (never `yaml.load` with an unsafe loader), read as JSON would be: only `true`
and `false` are booleans (so a field named `on` stays a name, and `yes` is not true), dates stay
text and are checked like JSON's, numbers are plain decimal, keys are text and given once, NaN
is refused, and aliases may not blow a small file up into a huge one (rule files allow none).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NoReturn

import yaml

from ..errors import InputError, Problem, show_value
from .files import read_text
from .json import broken_text

__all__ = ["decode_yaml", "line_of", "load_yaml", "read_yaml"]

_MAX_EXPANDED_VALUES = 100_000
_MAX_EXPANDED_TEXT = 10_000_000

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _YamlProblem(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = None if mark is None else mark.line + 1


class _Loader(yaml.SafeLoader):
    """Safe loading, read as JSON would be: only `true` and `false` are booleans (so a field
    named `on` stays a name, and `yes` is not true), dates stay text and are checked like
    JSON's, numbers are plain decimal, keys are text and given once, NaN is refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_line: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise _YamlProblem(
                    f"a field name must be text, not {show_value(key)} (put it in quotes)",
                    key_node.start_mark,
                )
            line = key_node.start_mark.line + 1
            if key in first_line:
                raise _YamlProblem(
                    f"the field {show_value(key)} is given twice in the same mapping (first on "
                    f"line {first_line[key]}): give each field once",
                    key_node.start_mark,
                )
            first_line[key] = line
        return super().construct_mapping(node, deep=deep)


_YAML_1_1_ONLY = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML_1_1_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# The YAML 1.2 core schema's booleans and numbers (what JSON has), checked in this order.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    body = text.lstrip("+-").lower()
    sign = -1 if text.startswith("-") else 1
    base = 16 if body.startswith("0x") else 8 if body.startswith("0o") else 10
    try:
        return sign * int(body[2:] if base != 10 else body, base)
    except ValueError:
        raise _YamlProblem(
            f"{show_value(text)} is not a whole number a record can hold", node.start_mark
        ) from None


def _construct_float(loader: yaml.SafeLoader, node: yaml.Node) -> float:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.lower().lstrip("+-") in (".nan", ".inf"):
        raise _YamlProblem(
            f"contains {text}, which is not a number a record can hold "
            "(NaN and Infinity are not allowed)",
            node.start_mark,
        )
    try:
        return float(text)
    except ValueError:
        raise _YamlProblem(f"{show_value(text)} is not a number", node.start_mark) from None


def _construct_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
# An explicit `!!timestamp` stays text too, so that it is checked as a date like any other.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases would expand it far beyond what is written (a 'billion
    laughs'), or that contains itself. Sizes are counted once per node, so this is quick."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, characters) when expanded
    on_path: set[int] = set()
    unique_text = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]

    def children(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        return []

    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            values, text = 1, len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            for child in children(node):
                child_values, child_text = sizes[id(child)]
                values += child_values
                text += child_text
            sizes[key] = (values, text)
            if isinstance(node, yaml.ScalarNode):
                unique_text += text
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _YamlProblem(
                "an alias (*name) refers to a value that contains the alias itself, so the "
                "record would never end",
                node.start_mark,
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children(node) if id(child) not in sizes)

    values, text = sizes[id(root)]
    if (values > len(sizes) and values > _MAX_EXPANDED_VALUES) or (
        text > unique_text and text > _MAX_EXPANDED_TEXT
    ):
        raise _YamlProblem(
            "its aliases (*name) would expand it to far more than is written "
            f"(over {_MAX_EXPANDED_VALUES:,} values or {_MAX_EXPANDED_TEXT:,} characters); "
            "a record must not need that: write the values out instead",
            None,
        )


class _NoAliasLoader(_Loader):
    """The same loading with no aliases at all: rule files are read by people, and a value
    written once and repeated elsewhere by `*name` hides what a rule says."""

    what = "a rule file"

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _YamlProblem(f"aliases (*name) are not allowed in {self.what}", event.start_mark)
        return super().compose_node(parent, index)


def load_yaml(
    text: str,
    *,
    source: str,
    aliases: bool = True,
    error: type[InputError] = InputError,
    what: str = "a record",
) -> tuple[object, yaml.Node | None]:
    """A YAML document's data and its node tree (for line numbers), or `(None, None)` for an
    empty one. Raises `error` naming the line of what cannot be read, and refuses a document
    whose aliases would expand it far beyond what is written (a 'billion laughs' must be refused
    quickly with a clear message, not expand)."""

    def fail(message: str, at: int | None, code: str = "syntax") -> NoReturn:
        raise error([Problem(source, at, "", message, code)])

    loader = _Loader(text) if aliases else _NoAliasLoader(text)
    if isinstance(loader, _NoAliasLoader):
        loader.what = what
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(node)
        data: object = loader.construct_document(node)
    except _YamlProblem as exc:
        fail(exc.message, exc.line)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "this is not YAML"
        if mark is None:
            fail(f"not valid YAML: {what}", None)
        fail(f"not valid YAML (column {mark.column + 1}): {what}", mark.line + 1)
    except yaml.YAMLError as exc:
        fail(f"not valid YAML: {exc}", None)
    except RecursionError:
        fail(
            f"is nested too deeply to be {what} (lists or mappings inside each other)",
            None,
            "too_deep",
        )
    except ValueError as exc:  # not expected: the constructors above report their own
        fail(f"could not be read as YAML: {exc}", None)
    finally:
        loader.dispose()
    problems = broken_text(data, source, None)
    if problems:
        raise error(problems)
    return data, node


def decode_yaml(text: str, *, source: str) -> object:
    """A record's YAML text as plain data; InputError for an empty or unreadable document."""
    data, node = load_yaml(text, source=source) if text.strip() else (None, None)
    if node is None:
        raise InputError([Problem(source, None, "", "is empty: there is no record in it", "empty")])
    return data


def read_yaml(
    path: Path, *, error: type[InputError] = InputError, what: str = "a rule file"
) -> tuple[object, yaml.Node | None]:
    """A rule file's (or the coverage file's) data and node tree: read as every input file is
    (bounded, UTF-8), with no aliases; `error` (RuleFileError for rule files) names the line."""
    try:
        text = read_text(path, what)
    except InputError as e:
        raise error(e.problems) from None
    return load_yaml(text, source=str(path), aliases=False, error=error, what=what)


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The line of the YAML node at `loc` (pydantic's error location), or the nearest parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            nxt = node.value[part] if part < len(node.value) else None
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line
