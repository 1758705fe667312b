"""The rule file format, as pydantic models: a rule (`NN-<rule id>.yaml`), the terms file
(`_terms.yaml`, the shared definitions of the catalogue's Terms, editable as data) and a loaded
rules folder. See docs/rule-format.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:  # facts.py imports the record's models: listing the rules needs neither
    from ..facts import Terms


RULE_ID = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
NAME = r"^[a-z][a-z0-9_]*$"
# NN-<rule id>.yaml, or NN-<rule id>.<label>.yaml for a further version of a rule (effective dates)
RULE_FILE = re.compile(r"^(\d+)-([a-z0-9-]+)(?:\.[a-z0-9][a-z0-9-]*)?\.ya?ml$")
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


# -- effective dates (issue 13): the period a version of a rule is in force ----------------------


class Effective(_Strict):
    """The period a version of a rule is in force, both ends inclusive, either end open."""

    from_: date | None = Field(default=None, alias="from")
    until: date | None = None

    @model_validator(mode="after")
    def _in_order(self) -> Effective:
        if self.from_ is not None and self.until is not None and self.until < self.from_:
            raise ValueError(f"until ({self.until}) is before from ({self.from_})")
        return self

    def covers(self, day: date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (
            self.until is None or day <= self.until
        )


# -- end of effective dates -------------------------------------------------------------------


# -- Who may make a judgement (rules.md, *Judgements*; the judgements helper's section) -------

#: The roles of the record format (record-format.md, Decision), as a rule file names them.
JudgeRole = Literal["social_worker", "senior_practitioner", "supervisor", "manager", "other"]
JUDGE_ROLES: tuple[str, ...] = get_args(JudgeRole)


class JudgementPolicy(_Strict):
    """Who may make a judgement on a rule's findings: `anyone`, `nobody`, or a list of roles;
    and why (for `nobody`, why the requirement admits no exception)."""

    by: Literal["anyone", "nobody"] | list[JudgeRole]
    why: str = Field(min_length=1)

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles that may make one (none for `nobody`)."""
        if self.by == "anyone":
            return JUDGE_ROLES
        if self.by == "nobody":
            return ()
        return tuple(self.by)


#: A rule file that does not say who may make a judgement allows none.
NO_JUDGEMENTS = JudgementPolicy(
    by="nobody", why="The rule file does not say that anyone may make a judgement on it."
)


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
    judgements: JudgementPolicy = NO_JUDGEMENTS  # who may make a judgement on its findings
    effective: Effective | None = None  # effective dates: when this version is in force


class TermsFile(_Strict):
    placeholders: list[str]
    parent_relationships: list[str]
    step_parent_relationships: list[str]
    labels: dict[str, str] = Field(default_factory=dict)
    conditions: dict[str, Related] = Field(default_factory=dict)
    example_base: dict[str, Any]
    #: a judgement's reason is no reason with fewer words than this (rules.md, *Judgements*)
    judgement_reason_min_words: int = Field(default=4, ge=1)

    def terms(self) -> Terms:
        from ..facts import Terms, normal_text

        return Terms(
            placeholders=frozenset(normal_text(p) for p in self.placeholders),
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
