"""Where a problem is, for people: the line of a field path in the record's JSON or YAML text,
the path in words that count from one and name the child or adult ("second child (Tyler),
first visit: how"), and how to put common mistakes right ("did you mean ...", "write it as
2025-04-01", "write true").

Lines are found only for a record that has problems, by one pass over its text: a small
position-tracking tokenizer for JSON (the text already decoded, so it is valid), the node tree
for YAML. Each value's path is written as `errors.field_path` writes pydantic's locations, and a
path not in the text (a missing field) takes the line of the nearest group that holds it.
"""

from __future__ import annotations

import bisect
import datetime
import json
import re
import types
import typing
from typing import Any

from pydantic import BaseModel

__all__ = [
    "Lines",
    "date_hint",
    "field_names_at",
    "path_in_words",
    "true_false_hint",
]

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


class Lines:
    """The line of every field path in one record's text (JSON or YAML), found on first use."""

    def __init__(self, text: str, fmt: str) -> None:
        self._text, self._fmt = text, fmt
        self._index: dict[str, int] | None = None

    def line(self, path: str) -> int | None:
        """The line of `path`, or of the nearest group of fields or list that holds it. None for
        a text on one line, where the field path alone says where the problem is."""
        if "\n" not in self._text.strip():
            return None
        if self._index is None:
            try:
                self._index = (
                    _yaml_lines(self._text) if self._fmt == "yaml" else _json_lines(self._text)
                )
            except Exception:  # a text that cannot be indexed only loses its line numbers
                self._index = {}
        while True:
            if path in self._index:
                return self._index[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[: max(cut, 0)]


def _json_lines(text: str) -> dict[str, int]:
    starts: dict[str, int] = {}  # path -> offset of its key (in a group) or its value (in a list)
    stack: list[list[Any]] = []  # [path, is_group, expecting_key_or_index, key]
    for m in _TOKEN.finditer(text):
        tok, pos = m.group(), m.start()
        top = stack[-1] if stack else None
        if tok in ",:":
            if top is not None and tok == ",":
                if top[1]:
                    top[2] = True
                else:
                    top[2] += 1
            continue
        if tok in "}]":
            stack.pop()
            continue
        if top is not None and top[1] and top[2] is True:  # a field name
            top[3] = json.loads(tok)
            top[2] = False
            starts.setdefault(f"{top[0]}.{top[3]}" if top[0] else top[3], pos)
            continue
        if top is None:
            path = ""
        elif top[1]:
            path = f"{top[0]}.{top[3]}" if top[0] else top[3]
        else:
            path = f"{top[0]}[{top[2]}]"
        starts.setdefault(path, pos)
        if tok == "{":
            stack.append([path, True, True, ""])
        elif tok == "[":
            stack.append([path, False, 0, ""])
    breaks = [i for i, ch in enumerate(text) if ch == "\n"]
    return {path: bisect.bisect_left(breaks, pos) + 1 for path, pos in starts.items()}


def _yaml_lines(text: str) -> dict[str, int]:
    import yaml

    root = yaml.compose(text, Loader=yaml.SafeLoader)  # nodes only: nothing is constructed
    lines: dict[str, int] = {}
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("", root)] if root is not None else []
    while stack:
        path, node = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:  # an alias: its value is indexed where it was first written
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{path}.{key.value}" if path else str(key.value)
                lines.setdefault(name, key.start_mark.line + 1)
                stack.append((name, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(node.value))
    return lines


# -- the path in words -------------------------------------------------------------------------

#: what one item of each list of the record format is called, in words, for every text that
#: names an item (`path_in_words`: the input errors and the check page's fields). An item of
#: `people` is an adult, as the record format, the rules and the audit call them.
_ITEMS = {
    "children": "child",
    "people": "adult",
    "checks": "check",
    "agencies": "agency",
    "discharges": "discharge",
    "judgements": "judgement",
    "seen": "visit",
    "lives_with": "adult the child lives with",
    "parent_of": "child they are a parent of",
    "notified": "agency notified",
}
#: the field that names an item, in the order tried
_NAMING = ("name", "source", "rule", "person", "on")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
             "ninth", "tenth")  # fmt: skip


def _item_word(list_name: str) -> str:
    """What one item of the record's list `list_name` is called: `people` -> "adult"."""
    return _ITEMS.get(list_name, list_name.replace("_", " ") + " item")


def _ordinal(i: int) -> str:
    if i < len(_ORDINALS):
        return _ORDINALS[i]
    n = i + 1
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def path_in_words(data: object, loc: tuple[int | str, ...]) -> str:
    """`('children', 1, 'seen', 0, 'how')` as "second child (Tyler), first visit: how", from
    the record as it was read; "" for a path with no list in it (its path says it already)."""
    parts: list[str] = []
    keys: list[str] = []
    value: object = data
    for n, part in enumerate(loc):
        nxt = _step(value, part)
        if isinstance(part, int) and n > 0 and isinstance(loc[n - 1], str):
            list_name = keys.pop() if keys else ""
            if keys:
                parts.append(" ".join(keys).replace("_", " "))
                keys = []
            words = f"{_ordinal(part)} {_item_word(list_name)}"
            label = _label(nxt)
            parts.append(f"{words} ({label})" if label else words)
        else:
            keys.append(str(part))
        value = nxt
    if not parts:
        return ""
    text = ", ".join(parts)
    return f"{text}: {'.'.join(keys)}" if keys else text


def _step(value: object, part: int | str) -> object:
    if isinstance(value, dict):
        return value.get(part)
    if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
        return value[part]
    return None


def _label(item: object) -> str:
    if isinstance(item, str):
        return item if len(item) <= 40 else item[:37] + "..."
    if isinstance(item, dict):
        for key in _NAMING:
            if isinstance(item.get(key), str) and item[key].strip():
                return _label(item[key])
    return ""


# -- what a field could have been --------------------------------------------------------------


def field_names_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names of the group of fields at `loc` (a location inside `model`), or none
    when the location is not a group of the format."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return []
        current = _model_in(fields[part].annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None)
    return [f.alias or name for name, f in fields.items()] if fields else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


_DAY_FIRST = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")


def date_hint(value: object) -> str:
    """A date written day first, as in the UK (01/04/2025), as the format writes it."""
    m = _DAY_FIRST.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None:
        return ""
    try:
        day = datetime.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return ""
    return f"write it as {day.isoformat()} (year, month, day)"


_TRUE = frozenset({"yes", "y", "on", "true"})
_FALSE = frozenset({"no", "n", "off", "false"})


def true_false_hint(value: object) -> str:
    """`yes`, `no`, `on`, `off` (YAML 1.1's booleans, read here as text) and "true" in quotes."""
    if not isinstance(value, str):
        return ""
    word = value.strip().lower()
    if word in _TRUE:
        return "write true (without quotes)"
    if word in _FALSE:
        return "write false (without quotes)"
    return ""
