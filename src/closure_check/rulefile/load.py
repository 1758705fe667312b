"""Loading a rules folder: every rule file read safely and validated, and every problem told
to the policy officer with its file, line and field."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from ..errors import Problem, RuleFileError, field_path
from ..sources import format_of, line_of, read_yaml
from .effective import overlaps
from .model import RULE_FILE, TERMS_FILE, LoadedRule, Rule, RuleSet, TermsFile

__all__ = ["bundled_rules_dir", "load_rules", "parse_rule_file", "parse_terms_file"]


def bundled_rules_dir() -> Path:
    """The rules that ship with the installed package."""
    return Path(str(resources.files("closure_check.rules")))


def _validation_problems(path: Path, node: Any, err: ValidationError) -> list[Problem]:
    problems = []
    for e in err.errors():
        # pydantic adds the model or union member name into loc; keep only real keys
        loc = tuple(p for p in e["loc"] if isinstance(p, int) or not p[:1].isupper())
        loc = tuple(p for p in loc if p not in ("str", "Related", "list[Condition]"))
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "this field is not part of the rule format (see docs/rule-format.md)"
        elif e["type"] == "missing":
            msg = "this field is required"
        problems.append(Problem(str(path), line_of(node, loc), field_path(loc), msg))
    return sorted(set(problems), key=lambda p: (p.line or 0, p.path))


M = TypeVar("M", Rule, TermsFile)


def _parse(path: Path, model: type[M], what: str) -> M:
    data, node = read_yaml(path, error=RuleFileError)
    if not isinstance(data, dict):
        raise RuleFileError([Problem(str(path), 1, "", f"{what} is a YAML mapping")])
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise RuleFileError(_validation_problems(path, node, e)) from e


def parse_rule_file(path: Path) -> Rule:
    return _parse(path, Rule, "a rule file")


def parse_terms_file(path: Path) -> TermsFile:
    return _parse(path, TermsFile, "the terms file")


def load_rules(folder: Path | None = None) -> RuleSet:
    """Load and validate every rule file in `folder` (default: the bundled rules).
    Raises RuleFileError naming each file, line and field that is wrong."""
    folder = bundled_rules_dir() if folder is None else Path(folder)
    if not folder.is_dir():
        raise RuleFileError([Problem(str(folder), None, "", "is not a folder of rule files")])
    terms_path = folder / TERMS_FILE
    if not terms_path.is_file():
        raise RuleFileError(
            [Problem(str(terms_path), None, "", "missing: a rules folder needs its terms file")]
        )
    problems: list[Problem] = []
    terms: TermsFile | None = None
    try:
        terms = parse_terms_file(terms_path)
    except RuleFileError as e:
        problems += e.problems
    rules: list[tuple[int, LoadedRule]] = []
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")) and path.name != TERMS_FILE:
            continue
        if format_of(path) != "yaml":
            continue
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        if path.name == TERMS_FILE:
            continue
        m = RULE_FILE.match(path.name)
        if not m:
            problems.append(
                Problem(
                    str(path),
                    None,
                    "",
                    "a rule file is named NN-<rule id>.yaml, "
                    "NN being its place in the catalogue (for example 16-my-new-rule.yaml)",
                )
            )
            continue
        try:
            rule = parse_rule_file(path)
        except RuleFileError as e:
            problems += e.problems
            continue
        if rule.id != m.group(2):
            problems.append(
                Problem(str(path), 1, "id", f'the id "{rule.id}" does not match the file name')
            )
        rules.append((int(m.group(1)), LoadedRule(rule, path)))
    # several files of one id are versions of that rule (effective dates): their periods must
    # not overlap, and each overlap names both files
    problems += overlaps(RuleSet(folder, terms, tuple(r for _, r in rules), "")) if terms else []
    if not rules and not problems:
        problems.append(Problem(str(folder), None, "", "no rule files (NN-<id>.yaml) found"))
    if problems or terms is None:
        raise RuleFileError(problems)
    ordered = tuple(r for _, r in sorted(rules, key=lambda x: (x[0], x[1].rule.id)))
    return RuleSet(folder, terms, ordered, digest.hexdigest()[:16])
