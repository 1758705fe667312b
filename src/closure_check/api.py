"""The library's face: `check(record, rules, as_of) -> Report`, the one call the command line
and a service make, and the checker of a rules folder, built once per process and kept in the
user's cache between runs."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import sys
from datetime import date
from pathlib import Path

from . import __version__
from . import cache as _cache
from .checker import Checker
from .dated import DatedChecker
from .form import Program
from .record import Record, file_format, record_from_text
from .report import Report
from .rulefile import RuleSet, bundled_rules_dir, load_rules
from .rulefile.effective import is_dated
from .sources import read_text_and_digest

__all__ = ["check", "check_file", "checker_for"]


_checkers: dict[tuple[str, str], Checker] = {}
_by_content: dict[str, Checker] = {}


def _checker_of(rules: RuleSet) -> Checker:
    """One Checker, so one registration with the engine, per rules folder and version in a
    process: ruleset names are global to the engine and cannot be removed."""
    key = (str(rules.folder.resolve()), rules.version)
    if key not in _checkers:
        # a folder with effective dates gets a checker per set of versions in force (dated.py)
        _checkers[key] = DatedChecker(rules) if is_dated(rules) else Checker(rules)
    return _checkers[key]


def checker_for(folder: Path | None = None) -> Checker:
    """The checker for a rules folder (default: the bundled rules), built once per process, and
    rebuilt when a file in the folder changes.

    Loading, validating and compiling a rules folder takes a large part of a single check, so
    the result is kept in the user's cache (see cache.py) under a digest of every file in the
    folder, closure-check's own code and the Python, pydantic and jinja2 it runs on: a folder that
    changed in any way, or a different closure-check, is loaded afresh."""
    path = bundled_rules_dir() if folder is None else Path(folder)
    key = _folder_digest(path)
    if key is not None and key in _by_content:
        return _by_content[key]
    checker = _from_cache(key) if key is not None else None
    if checker is None:
        checker = _checker_of(load_rules(folder))
        if key is not None and not isinstance(checker, DatedChecker):  # compiled per version
            _to_cache(key, checker)
    if key is not None:
        _by_content[key] = checker
    return checker


def _folder_digest(folder: Path) -> str | None:
    """A digest of everything a rules folder's checker depends on, or None if the folder
    cannot be read (load_rules then says why)."""
    import jinja2
    import pydantic

    h = hashlib.sha256()
    versions = (__version__, sys.version, pydantic.VERSION, jinja2.__version__)
    for part in (*versions, _cache.code_fingerprint()):
        h.update(part.encode() + b"\0")
    try:
        h.update(os.fsencode(folder.resolve()) + b"\0")
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            h.update(os.fsencode(entry.name) + b"\0")
            if entry.is_file():
                with open(entry.path, "rb") as f:
                    h.update(f.read() + b"\0")
            else:
                h.update(b"(not a file)\0")
    except OSError:
        return None
    return h.hexdigest()[:32]


def _from_cache(key: str) -> Checker | None:
    data = _cache.read(f"rules-{key}.pickle")
    if data is None:
        return None
    try:
        rules, compiled, code = pickle.loads(data)
    except Exception:  # an unreadable cache entry is as if there were none
        return None
    if not (isinstance(rules, RuleSet) and isinstance(compiled, Program)):
        return None
    if not (isinstance(code, dict) and all(isinstance(c, bytes) for c in code.values())):
        return None
    return Checker(rules, _compiled=compiled, _code=code)


def _to_cache(key: str, checker: Checker) -> None:
    try:
        entry = (checker.rules, checker.compiled, checker.messages.code)
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # pragma: no cover - rules are plain data
        return
    _cache.write(f"rules-{key}.pickle", data, prune="rules-")


def check(
    record: Record, rules: RuleSet | Checker | None = None, as_of: date | None = None
) -> Report:
    """Check one record. `rules` is a loaded rules folder (default: the bundled rules)."""
    if isinstance(rules, Checker):
        checker = rules
    elif rules is None:
        checker = checker_for(None)
    else:
        checker = _checker_of(rules)
    return checker.check(record, as_of=as_of or date.today())


def check_file(path: Path, checker: Checker, *, as_of: date) -> Report:
    """Check the record in a JSON or YAML file. The report carries the SHA-256 of the very
    bytes that were checked. Raises InputError for a file that is not a valid record."""
    text, digest = read_text_and_digest(path)
    record = record_from_text(
        text, source=str(path), as_of=as_of, fmt=file_format(path), rule_ids=checker.rule_ids
    )
    return dataclasses.replace(checker.check(record, as_of=as_of), input_sha256=digest)
