"""Loading a rules folder: every rule file read safely and validated, and every problem told
to the policy officer with its file, line and field."""

from __future__ import annotations

import hashlib
import re
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
    return _with_data(_parse(path, Rule, "a rule file"), path)


# -- a rule's title and `checks` take their thresholds from its data ---------------------------

#: the fields of a rule file that may name the rule's data (`{{ data.max_working_days }}`)
DATA_TEXTS = ("title", "checks")
_NUMBER = re.compile(r"(?<![\w.{])[0-9]+(?:\.[0-9]+)?(?![\w.])")


def _with_data(rule: Rule, path: Path) -> Rule:
    """The rule with `{{ data.x }}` in its title and `checks` rendered from its `data` (in the
    sandbox of messages.py), so that changing a threshold in `data` changes what the rule says.
    A number written out in either that is one of the data's values is refused: it would not
    follow the data (docs/rule-format.md, *Data in the title*)."""
    from .messages import Messages

    numbers = {
        str(v)
        for value in rule.data.values()
        for v in (value if isinstance(value, list) else [value])
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    messages = Messages({})
    update: dict[str, str] = {}
    problems: list[Problem] = []
    for name in DATA_TEXTS:
        text: str = getattr(rule, name)
        bare = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
        written = sorted({n for n in _NUMBER.findall(bare) if n in numbers})
        if written:
            key = next(
                k
                for k, v in rule.data.items()
                if str(v) == written[0] or (isinstance(v, list) and written[0] in map(str, v))
            )
            problems.append(
                Problem(
                    str(path),
                    None,
                    name,
                    (
                        f"{written[0]} is a value of the rule's data: write {{{{ data.{key} }}}} "
                        "instead, so that the text follows the data when it changes"
                    ),
                    "data_in_text",
                )
            )
            continue
        if "{" not in text:
            continue
        messages.add(text, source=path, field=name)
        rendered = messages.render(text, {"data": rule.data})
        failed = "[this rule's message could not be written: "
        if rendered.startswith(failed):
            problems.append(
                Problem(
                    str(path),
                    None,
                    name,
                    (
                        f"cannot be written from the rule's data: {rendered[len(failed) : -1]}"
                        " (it may use only data.<name> of this rule's data)"
                    ),
                )
            )
            continue
        update[name] = rendered
    if problems:
        raise RuleFileError(problems)
    return rule.model_copy(update=update) if update else rule


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
