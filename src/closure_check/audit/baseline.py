"""The baseline: a previous audit's JSON, read piece by piece (a large audit is mostly failing
records' reports), keeping only each exception's identity, so that this audit can tell new
exceptions from persisting ones and list those resolved since."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from ..errors import InputError, Problem
from ..sources import cannot_read
from .spool import _BLOCK, _SpoolFolder

#: What an audit's JSON says it is (its "format"), and what a baseline must say.
AUDIT_FORMAT: Final = "closure-check/audit/1"

#: What a resolved exception keeps from the baseline (not its messages, which are last week's).
_IDENTITY: Final = (
    "fingerprint",
    "assessment_id",
    "kind",
    "source",
    "line",
    "rule",
    "title",
    "severity",
    "paragraph",
    "subject",
    "subject_type",
    "name",
    "worker_id",
    "worker",
    "team",
)


class Baseline:
    """The exceptions of a previous audit: their fingerprints and records in memory, the rows
    themselves (first of each fingerprint, in the file's order) in a spool."""

    def __init__(self, source: str, as_of: str) -> None:
        self.source = source
        self.as_of = as_of
        self.rules_version = ""  # the rules the baseline was made with ("" if it does not say)
        self.fingerprints: set[str] = set()
        #: when each exception was first seen: carried from baseline to baseline (its own
        #: `first_seen`, or the baseline's date for an audit written before there was one)
        self.first_seen: dict[str, str] = {}
        self.records: set[str] = set()  # assessment ids with an exception
        #: findings a judgement had accepted then: still accepted now is not "new"
        self.accepted: set[str] = set()
        self._folder = _SpoolFolder()
        self._spool = self._folder.spool("baseline")

    @property
    def rows(self) -> Sequence[dict[str, Any]]:
        return self._spool

    def _add(self, row: dict[str, Any]) -> None:
        if row["fingerprint"] not in self.fingerprints:
            self.fingerprints.add(row["fingerprint"])
            if row["first_seen"]:
                self.first_seen[row["fingerprint"]] = row["first_seen"]
            self.records.add(row["assessment_id"])
            self._spool.append(row)

    def close(self) -> None:
        self._folder.close()


class _NotJson(Exception):
    pass


_SPACE = re.compile(r"[ \t\n\r]*")


class _JsonReader:
    """One JSON document read from a file a value at a time, so that a large audit (most of it
    failing records' reports) is never held whole just to find its exceptions."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self._text = ""
        self._at = 0
        self._eof = False
        self._decode = json.JSONDecoder().raw_decode

    def _more(self) -> bool:
        if self._eof:
            return False
        block = self._file.read(max(_BLOCK, len(self._text) - self._at))  # doubles for big values
        if not block:
            self._eof = True
            return False
        self._text = self._text[self._at :] + block
        self._at = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            match = _SPACE.match(self._text, self._at)
            assert match is not None
            self._at = match.end()
            if self._at < len(self._text):
                return self._text[self._at]
            if not self._more():
                return ""

    def take(self, allowed: str) -> str:
        char = self.peek()
        if not char or char not in allowed:
            raise _NotJson
        self._at += 1
        return char

    def value(self) -> Any:
        """The next whole value."""
        self.peek()
        while True:
            try:
                value, end = self._decode(self._text, self._at)
            except (json.JSONDecodeError, RecursionError, ValueError):
                if self._more():  # most likely cut short by the end of the block read
                    continue
                raise _NotJson from None
            if end == len(self._text) and self._more():  # a number may go on: read it again
                continue
            self._at = end
            return value

    def items(self) -> Iterator[Any]:
        """The values of a list, one at a time."""
        self.take("[")
        if self.peek() == "]":
            self._at += 1
            return
        while True:
            yield self.value()
            if self.take(",]") == "]":
                return

    def members(self) -> Iterator[str]:
        """The names of an object's members; the caller reads each value before the next."""
        self.take("{")
        if self.peek() == "}":
            self._at += 1
            return
        while True:
            name = self.value()
            if not isinstance(name, str):
                raise _NotJson
            self.take(":")
            yield name
            if self.take(",}") == "}":
                return

    def skip(self, depth: int = 0) -> None:
        """Pass over the next value, a list's items or an object's members one at a time."""
        char = self.peek()
        if depth > 32 or char not in "[{":
            self.value()
        elif char == "[":
            for _ in self.items():
                pass
        else:
            for _ in self.members():
                self.skip(depth + 1)

    def end(self) -> None:
        if self.peek():
            raise _NotJson


def load_baseline(path: Path) -> Baseline:
    """Read a previous `closure-check audit --json` file; InputError if it is not one. The file
    is read piece by piece: only each exception's identity is kept."""
    source = str(path)

    def refuse(why: str) -> InputError:
        message = f"cannot be used as a baseline: {why}"
        return InputError([Problem(source, None, "", message)])

    try:
        f = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        raise InputError([cannot_read(source, exc)]) from None
    not_an_audit = (
        f'it is not an audit written by `closure-check audit --json` (format "{AUDIT_FORMAT}")'
    )
    base = Baseline(source, "")
    found: dict[str, Any] = {}
    has_list = False  # "exceptions" was a list, read row by row
    bad_row: int | None = None
    try:
        try:
            with f:
                reader = _JsonReader(f)
                if reader.peek() != "{":
                    reader.value()  # a document that is not an object: valid JSON, or not?
                    reader.end()
                    raise refuse(not_an_audit)
                for name in reader.members():
                    if name in found:
                        raise refuse(f'it gives "{name}" twice')
                    if name == "exceptions" and reader.peek() == "[":
                        found[name], has_list = None, True
                        for i, row in enumerate(reader.items()):
                            fingerprint = isinstance(row, dict) and row.get("fingerprint")
                            if not isinstance(fingerprint, str):
                                bad_row = i if bad_row is None else bad_row
                                continue
                            base._add(_identity(row))
                    elif name == "accepted" and reader.peek() == "[":
                        found[name] = None
                        for row in reader.items():
                            fingerprint = isinstance(row, dict) and row.get("fingerprint")
                            if isinstance(fingerprint, str):
                                base.accepted.add(fingerprint)
                    elif name in ("format", "as_of", "rules_version", "exceptions"):
                        found[name] = reader.value()
                    else:
                        found[name] = None
                        reader.skip()
                reader.end()
        except _NotJson:
            raise refuse("it is not valid JSON") from None
        except UnicodeDecodeError:
            raise refuse("it is not UTF-8 text") from None
        except OSError as exc:
            raise refuse(f"it could not be read ({exc.strerror or exc})") from None
        if found.get("format") != AUDIT_FORMAT:
            raise refuse(not_an_audit)
        if not has_list:
            raise refuse('it has no "exceptions" list')
        if bad_row is not None:
            raise refuse(f"exceptions[{bad_row}] has no fingerprint")
    except BaseException:
        base.close()
        raise
    as_of = found.get("as_of")
    base.as_of = as_of if isinstance(as_of, str) else ""
    rules_version = found.get("rules_version")
    base.rules_version = rules_version if isinstance(rules_version, str) else ""
    if _ISO_DATE.fullmatch(
        base.as_of
    ):  # exceptions of an audit that did not say when they were first seen
        for row in base.rows:
            base.first_seen.setdefault(row["fingerprint"], base.as_of)
    return base


_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _identity(row: dict[str, Any]) -> dict[str, Any]:
    kept = {k: row.get(k) for k in _IDENTITY}
    for k in _IDENTITY:
        if k != "line" and not isinstance(kept[k], str):
            kept[k] = ""
    if not isinstance(kept["line"], int) or isinstance(kept["line"], bool):
        kept["line"] = None
    first_seen = row.get("first_seen")
    kept["first_seen"] = (
        first_seen if isinstance(first_seen, str) and _ISO_DATE.fullmatch(first_seen) else ""
    )
    return kept
