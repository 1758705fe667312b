"""What can go wrong, as the user is told it: input problems (`FILE:LINE: field.path: what is
wrong`), bad rule files, and the rules engine failing (never the user's mistake)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input: where it is and what is wrong, in plain words.

    `code` is a short, stable name of the kind of problem (`missing`, `date_future`,
    `unknown_field`, `not_utf8`, ...) for programs that read the problems; people read
    `message`. It takes no part in comparing or ordering problems."""

    source: str
    line: int | None
    path: str
    message: str
    code: str = field(default="invalid", compare=False)
    #: the path in words for people, counting from one and naming the child or adult
    #: ("second child (Tyler), first visit: how"); "" where the path says it already
    where: str = field(default="", compare=False)
    #: how to put it right, when that can be told ("did you mean ...", "write it as ...")
    hint: str = field(default="", compare=False)

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class InputError(Exception):
    """A record, a file or an option the user gave cannot be used. Never a traceback."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RuleFileError(InputError):
    """A rule file (or the rules folder) is not valid: names the file and the field."""


class EngineError(RuntimeError):
    """The rules engine failed on a record. Not the user's mistake: reported, never hidden."""


def field_path(loc: tuple[int | str, ...]) -> str:
    """pydantic's `('children', 1, 'seen', 0, 'on')` as the record's `children[1].seen[0].on`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def show_value(value: object) -> str:
    """A value from the record as a social worker would recognise it, shortened if long."""
    if isinstance(value, str):
        text = json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
        return text
    if value is None:
        return "null (nothing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return "a value of another kind"
