"""Rule files: their format, loading them safely, and telling a policy officer what is wrong.

A rules folder holds `_terms.yaml` (the shared definitions of rules.md's Terms, editable as data)
and one `NN-<rule id>.yaml` per rule, `NN` giving the catalogue order. See docs/rule-format.md.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import Problem, RuleFileError
from .facts import Terms

RULE_ID = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
NAME = r"^[a-z][a-z0-9_]*$"
RULE_FILE = re.compile(r"^(\d+)-([a-z0-9-]+)\.ya?ml$")
TERMS_FILE = "_terms.yaml"

Scalar = str | int | bool
Tests = dict[str, Any]  # field -> test; checked against the fact vocabulary by the compiler


class _Strict(BaseModel):
    # built when first used to validate: a checker from the user's cache never validates a rule
    # file, and building every model at import took a tenth of `check`'s start-up
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class SourceRef(_Strict):
    paragraph: str = Field(min_length=1)
    quote: str = Field(min_length=1)
    document: str = "Serious case review: Child J (Wolverhampton), executive summary"


class Related(_Strict):
    """Facts of one kind related to the subject: `fact` names the kind, `where` the tests."""

    fact: str
    where: Tests = Field(default_factory=dict)


class Every(Related):
    """Every related fact matching `where` must pass `must`; each one that does not fails."""

    must: Tests


class Condition(_Strict):
    """One condition: exactly one of tests on the subject, tests on the record, a related
    fact that must exist (or the name of such a condition in _terms.yaml), or any of several."""

    subject: Tests | None = None
    record: Tests | None = None
    exists: Related | str | None = None
    any: list[Condition] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [k for k in ("subject", "record", "exists", "any") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a condition has exactly one of: subject, record, exists, any "
                f"(found {', '.join(given) or 'none'})"
            )
        return self


class Requirement(_Strict):
    """What must be true of an applicable subject. A subject for which it is not true fails,
    and the `fail` and `remedy` messages say so."""

    name: str = Field(pattern=NAME)
    subject: Tests | None = None
    record: Tests | None = None
    exists: Related | str | None = None
    every: Every | None = None
    for_each: dict[str, list[Scalar] | str] | None = None
    fail: str
    remedy: str

    @model_validator(mode="after")
    def _exactly_one(self) -> Requirement:
        kinds = ("subject", "record", "exists", "every")
        given = [k for k in kinds if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a requirement has exactly one of: subject, record, exists, every "
                f"(found {', '.join(given) or 'none'})"
            )
        if self.for_each is not None and len(self.for_each) != 1:
            raise ValueError("for_each names exactly one value and its list")
        return self


class Part(_Strict):
    """One kind of subject the rule looks at, when it applies, and what it requires."""

    subject: Literal["assessment", "child", "person", "agency", "discharge"]
    when: list[Condition] = Field(default_factory=list)
    requires: list[Requirement] = Field(min_length=1)
    pass_: str = Field(alias="pass")


class Example(_Strict):
    """A small record and what the rule must decide for it; a test runs every example."""

    name: str
    expect: Literal["pass", "fail", "not_applicable"]
    failing: list[str] = Field(default_factory=list)
    record: dict[str, Any] = Field(default_factory=dict)


class Rule(_Strict):
    id: str = Field(pattern=RULE_ID)
    title: str
    severity: Literal["blocker", "advisory"]
    source: SourceRef
    checks: str
    why: str
    data: dict[str, list[Scalar] | Scalar] = Field(default_factory=dict)
    applies_to: list[Part] = Field(min_length=1)
    not_applicable: str
    examples: list[Example] = Field(default_factory=list)


class TermsFile(_Strict):
    placeholders: list[str]
    parent_relationships: list[str]
    step_parent_relationships: list[str]
    labels: dict[str, str] = Field(default_factory=dict)
    conditions: dict[str, Related] = Field(default_factory=dict)
    example_base: dict[str, Any]

    def terms(self) -> Terms:
        return Terms(
            placeholders=frozenset(p.strip().lower() for p in self.placeholders),
            parent_relationships=frozenset(self.parent_relationships),
            step_parent_relationships=frozenset(self.step_parent_relationships),
        )


@dataclass(frozen=True)
class LoadedRule:
    rule: Rule
    path: Path


@dataclass(frozen=True)
class RuleSet:
    """A loaded, validated rules folder (not yet compiled for the engine)."""

    folder: Path
    terms_file: TermsFile
    rules: tuple[LoadedRule, ...]
    version: str

    @property
    def terms(self) -> Terms:
        return self.terms_file.terms()

    def get(self, rule_id: str) -> LoadedRule | None:
        return next((r for r in self.rules if r.rule.id == rule_id), None)

    def __iter__(self) -> Iterator[LoadedRule]:
        return iter(self.rules)


def bundled_rules_dir() -> Path:
    """The rules that ship with the installed package."""
    return Path(str(resources.files("closure_check.rules")))


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML with duplicate keys refused, dates kept as text, and no aliases."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice", key_node.start_mark
            )
        seen[key] = loader.construct_object(value_node)
    return seen


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)
# Dates stay text (the compiler reads them), and only true/false are booleans: in YAML 1.1
# `on:` (a field name the record format uses) and `no` would silently become booleans.
_UniqueKeyLoader.yaml_implicit_resolvers = {
    k: [
        (tag, rx)
        for tag, rx in v
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _NoAliasComposer(_UniqueKeyLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in rule files", event.start_mark
            )
        return super().compose_node(parent, index)


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse one rule file safely. Returns the data and its node tree (for line numbers)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RuleFileError([Problem(str(path), None, "", f"cannot read the file: {e}")]) from e
    loader = _NoAliasComposer(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(e, "problem", None) or str(e)
        raise RuleFileError([Problem(str(path), line, "", f"not valid YAML: {what}")]) from e
    except RecursionError:  # the YAML parser recurses once per level of nesting
        why = "is nested too deeply to be a rule file (lists or mappings inside each other)"
        raise RuleFileError([Problem(str(path), None, "", why)]) from None
    finally:
        loader.dispose()
    return data, node


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


def dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _validation_problems(path: Path, node: yaml.Node | None, err: ValidationError) -> list[Problem]:
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
        problems.append(Problem(str(path), line_of(node, loc), dotted(loc), msg))
    return sorted(set(problems), key=lambda p: (p.line or 0, p.path))


M = TypeVar("M", Rule, TermsFile)


def _parse(path: Path, model: type[M], what: str) -> M:
    data, node = read_yaml(path)
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
        if path.suffix not in (".yaml", ".yml"):
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
    ids = [r.rule.id for _, r in rules]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(str(folder), None, "", f'two rule files have the id "{dup}"'))
    if not rules and not problems:
        problems.append(Problem(str(folder), None, "", "no rule files (NN-<id>.yaml) found"))
    if problems or terms is None:
        raise RuleFileError(problems)
    ordered = tuple(r for _, r in sorted(rules, key=lambda x: (x[0], x[1].rule.id)))
    return RuleSet(folder, terms, ordered, digest.hexdigest()[:16])
