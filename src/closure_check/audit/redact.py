"""Pseudonyms (`redact=True`): every child's, adult's and worker's name replaced, in every
field and inside every message, by a name derived from ids only; quoted free text withheld. See
docs/audit.md ("Pseudonyms")."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final, Literal

from ..record import Record

if TYPE_CHECKING:
    from .result import RecordOutcome

#: Replaces quoted free text in a pseudonymised report.
WITHHELD: Final = "[text withheld]"


_SALT: Final = "closure-check pseudonym 1"
_LABELS: Final = {"child": "Child", "adult": "Adult", "worker": "Worker"}


def pseudonym(kind: Literal["child", "adult", "worker"], *key: str) -> str:
    """A name such as "Child 3f2a9c", derived from ids only (see docs/audit.md)."""
    text = json.dumps([_SALT, kind, *key], ensure_ascii=False)
    return f"{_LABELS[kind]} {hashlib.sha256(text.encode('utf-8')).hexdigest()[:6]}"


def _person_pseudonym(kind: str, assessment_id: str, subject: str) -> str:
    """A child's or adult's pseudonym: their ids are unique only within their record."""
    return pseudonym("child" if kind == "child" else "adult", assessment_id, subject)


#: Record fields holding free text, which a message may quote and which may name anyone.
_FREE_TEXT: Final = frozenset(
    {
        "conclusion",
        "outstanding_information",
        "missing_information_plan",
        "recommendations",
        "parents_note",
        "considered",
        "note",
        "reasons",
        "decided_by",
    }
)

_WORD = re.compile(r"\w")


class _Redactor:
    """Replaces each known name (and quoted free text) of one record inside any text."""

    def __init__(self, names: dict[str, str], texts: Iterable[str]) -> None:
        table: dict[str, str] = {}
        for text in texts:
            for form in _forms(text):
                table[form] = WITHHELD
        for name, alias in names.items():  # a name that is also a free text becomes the alias
            for form in _forms(name):
                table[form] = alias
        self._table = table
        self._needles = sorted(table, key=lambda n: (-len(n), n))  # longest first
        self._patterns: dict[tuple[str, ...], re.Pattern[str]] = {}

    def __call__(self, text: str) -> str:
        hits = tuple(n for n in self._needles if n in text)  # cheap, and usually none
        if not hits:
            return text
        pattern = self._patterns.get(hits)
        if pattern is None:
            parts = []
            for needle in hits:  # a name is replaced as a whole word, never inside another
                before = r"(?<!\w)" if _WORD.match(needle[0]) else ""
                after = r"(?!\w)" if _WORD.match(needle[-1]) else ""
                parts.append(before + re.escape(needle) + after)
            pattern = self._patterns[hits] = re.compile("|".join(parts))
        return pattern.sub(lambda m: self._table[m.group(0)], text)


def _forms(text: str) -> list[str]:
    """A value as a message may show it: as written, JSON-escaped, and shortened (see
    errors.show_value, which cuts text over 60 characters to 57 and "...")."""
    if not text.strip():
        return []
    escaped = json.dumps(text, ensure_ascii=False)[1:-1]
    forms = {text.strip(), escaped}
    if len(text) > 60:
        forms.add(json.dumps(text[:57], ensure_ascii=False)[1:-1])
    return [f for f in forms if f.strip()]


def _free_texts(data: object) -> list[str]:
    found: list[str] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in _FREE_TEXT and isinstance(item, str):
                    found.append(item)
                else:
                    stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _redactor_for_record(record: Record) -> _Redactor:
    return _redactor_for_data(record.model_dump(mode="json"))


def _redactor_for_data(data: object) -> _Redactor:
    """Names and free text to hide, from a record's data: for a record that did not validate,
    whatever names can be found where they belong."""

    def text(value: object) -> str:
        return value if isinstance(value, str) else ""

    def group(value: object, key: str) -> dict[str, Any]:
        item = value.get(key) if isinstance(value, dict) else None
        return item if isinstance(item, dict) else {}

    def items(key: str) -> list[tuple[int, dict[str, Any]]]:
        value = data.get(key) if isinstance(data, dict) else None
        if not isinstance(value, list):
            return []
        return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]

    aid = _id_in(data)
    names: dict[str, str] = {}
    for i, person in items("people"):
        names[text(person.get("name"))] = pseudonym("adult", aid, text(person.get("id")) or f"#{i}")
    for i, child in items("children"):
        names[text(child.get("name"))] = pseudonym("child", aid, text(child.get("id")) or f"#{i}")
    by = group(group(data, "decision"), "by")
    by_id = text(by.get("id"))
    names[text(by.get("name"))] = (
        pseudonym("worker", by_id) if by_id else pseudonym("worker", "decision", aid)
    )
    worker = group(data, "worker")
    names[text(worker.get("name"))] = pseudonym("worker", text(worker.get("id")))
    reasons = []  # a judge's name is a name, and a judgement's reason free text (1.1)
    for i, judgement in items("judgements"):
        judge = group(judgement, "by")
        judge_id = text(judge.get("id"))
        names.setdefault(
            text(judge.get("name")),
            pseudonym("worker", judge_id)
            if judge_id
            else pseudonym("worker", "judge", aid, str(i)),
        )
        reasons.append(text(judgement.get("reason")))
    names.pop("", None)
    return _Redactor(names, _free_texts(data) + reasons)


def redact_judgements(report: dict[str, Any], hide: _Redactor | Any) -> None:
    """In a report's data: each judge's name and each reason, in accepted findings and in the
    report's `judgements`, as names and free text are (1.1)."""
    shown = [f["judgement"] for r in report["results"] for f in r["findings"] if "judgement" in f]
    for j in shown + list(report.get("judgements", ())):
        for key in ("by", "reason", "why"):
            if key in j:
                j[key] = hide(j[key])


def _id_in(data: object) -> str:
    """The assessment id in a record's data, if it has one that is text."""
    aid = data.get("id") if isinstance(data, dict) else None
    return aid if isinstance(aid, str) else ""


# -- file paths ---------------------------------------------------------------------------------

_RECORD_SUFFIXES: Final = (".json", ".yaml", ".yml", ".jsonl")
_FILE_PSEUDONYM = re.compile(r"file-[0-9a-f]{6}(\.\w+)?")


@functools.lru_cache(maxsize=256)  # the rows of a piece share one file; bounded: an audit of
# 100,000 files must not keep a pseudonym for each in every worker
def path_pseudonym(source: str) -> str:
    """A record file's path with its file name replaced by "file-3f2a9c" and the same ending
    (docs/audit.md, "Pseudonyms"): a file is often named after the child. Derived from the whole
    path, so the same in every run; the folders are kept. A path already so named is kept."""
    if not source:
        return source
    folder, _, name = source.replace("\\", "/").rpartition("/")
    if _FILE_PSEUDONYM.fullmatch(name):
        return source
    suffix = next((s for s in _RECORD_SUFFIXES if name.lower().endswith(s)), "")
    text = json.dumps([_SALT, "file", source], ensure_ascii=False)
    alias = f"file-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:6]}{suffix}"
    return f"{folder}/{alias}" if folder else alias


def hide_path(text: str, source: str) -> str:
    """`text` (a problem's message, say) with the file's path and name replaced by its
    pseudonym."""
    if not source or not text:
        return text
    alias = path_pseudonym(source)
    name = source.replace("\\", "/").rpartition("/")[2]
    text = text.replace(source, alias)
    return text.replace(name, alias.rpartition("/")[2]) if name else text


def _without_path(outcome: RecordOutcome) -> RecordOutcome:
    """(`--redact`) An outcome with its file's name replaced by a pseudonym, in its problems'
    messages too: a record file is often named after the child."""
    source = outcome.source
    problems = tuple(
        replace(p, source=path_pseudonym(p.source), message=hide_path(p.message, source))
        for p in outcome.problems
    )
    return replace(outcome, source=path_pseudonym(source), problems=problems)
