"""The report of one record: what the checker decided and why, in report-format.md's shape."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic_core import to_json

from .words import date_words, with_article

RuleStatus = Literal["pass", "fail", "accepted", "not_applicable"]

# Finding and RuleResult are frozen dataclasses with an __init__ of their own (init=False): it
# sets every field at once in the instance's __dict__, where a frozen dataclass's own sets each
# through object.__setattr__, at twice the cost, for the tens of findings of every report. Its
# parameters are the fields, in order, with their defaults (tests/test_report_objects.py).


@dataclass(frozen=True, init=False)
class Finding:
    """What a rule found about one subject (a child, an adult, an agency or the assessment)."""

    subject: str
    name: str
    status: Literal["pass", "fail", "accepted"]
    message: str
    problem: str = ""  # what is wrong (fail and accepted)
    remedy: str = ""  # what would put it right (fail and accepted)
    #: accepted only: the judgement that accepts it (by, role, on, reason, and expires_on)
    judgement: dict[str, str] | None = None
    #: a discharge rule's finding: which discharge it is about (service, on)
    discharge: dict[str, str] | None = None

    def __init__(
        self,
        subject: str,
        name: str,
        status: Literal["pass", "fail", "accepted"],
        message: str,
        problem: str = "",
        remedy: str = "",
        judgement: dict[str, str] | None = None,
        discharge: dict[str, str] | None = None,
    ) -> None:
        self.__dict__.update(
            subject=subject, name=name, status=status, message=message, problem=problem,
            remedy=remedy, judgement=judgement, discharge=discharge,
        )  # fmt: skip

    @property
    def accepted_by(self) -> str:
        """The judgement in the judge's words, for an accepted finding ("" otherwise)."""
        return judgement_words(self.judgement) if self.judgement else ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "subject": self.subject,
            "status": self.status,
            "message": self.message,
            "name": self.name,
        }
        if self.status != "pass":
            d["problem"], d["remedy"] = self.problem, self.remedy
        if self.judgement is not None:
            d["judgement"] = self.judgement
        if self.discharge is not None:
            d["discharge"] = self.discharge
        return d


def judgement_words(j: dict[str, str]) -> str:
    """ "accepted by B. Manager, manager, on 12 June 2025: <the reason, as written>". The role
    in its own words, not the terms' labels: a report (or its JSON, read back by the audit's
    exports) does not carry the labels of the rules it was checked by."""
    until = f" (until {date_words(j['expires_on'])})" if j.get("expires_on") else ""
    role = j["role"].replace("_", " ")
    return f"accepted by {j['by']}, {role}, on {date_words(j['on'])}{until}: {j['reason']}"


def role_words(role: str, labels: Mapping[str, str]) -> str:
    """A role with its article, as a sentence names it ("a supervisor"): its label in the
    rules' terms (`labels`, _terms.yaml, where the policy team writes each role with its
    article), else its own words with "a" or "an"."""
    label = labels.get(role)
    if label:
        return label
    return with_article(role.replace("_", " "))


@dataclass(frozen=True, init=False)
class RuleResult:
    rule: str
    title: str
    severity: Literal["blocker", "advisory"]
    source: str
    status: RuleStatus
    findings: tuple[Finding, ...]
    message: str = ""  # why the rule did not apply (not_applicable only)
    # effective dates: the version of the rule used (file, from, until), for a dated folder only
    version: dict[str, Any] | None = None

    def __init__(
        self,
        rule: str,
        title: str,
        severity: Literal["blocker", "advisory"],
        source: str,
        status: RuleStatus,
        findings: tuple[Finding, ...],
        message: str = "",
        version: dict[str, Any] | None = None,
    ) -> None:
        self.__dict__.update(
            rule=rule, title=title, severity=severity, source=source, status=status,
            findings=findings, message=message, version=version,
        )  # fmt: skip

    @property
    def failures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status == "fail")

    @property
    def accepted(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status == "accepted")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "source": self.source,
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
            "title": self.title,
        }
        if self.message:
            d["message"] = self.message
        if self.version is not None:
            d["version"] = self.version
        return d


@dataclass(frozen=True)
class Report:
    assessment_id: str
    verdict: Literal["pass", "fail"]
    as_of: str
    rules_version: str
    results: tuple[RuleResult, ...]
    kind: str = ""
    worker: dict[str, str] = field(default_factory=dict)
    tool_version: str = ""
    input_sha256: str = ""
    #: (1.1) every judgement of the record and its outcome: applied, not_applied (with why) or
    #: stale; absent from the JSON of a record without judgements
    judgements: tuple[dict[str, str], ...] = ()

    @property
    def failed_rules(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.status == "fail")

    @property
    def accepted_rules(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.status == "accepted")

    def result(self, rule_id: str) -> RuleResult:
        return next(r for r in self.results if r.rule == rule_id)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "assessment_id": self.assessment_id,
            "verdict": self.verdict,
            "as_of": self.as_of,
            "rules_version": self.rules_version,
            "results": [r.to_dict() for r in self.results],
            "kind": self.kind,
            "worker": self.worker,
            "tool_version": self.tool_version,
        }
        if self.input_sha256:
            d["input_sha256"] = self.input_sha256
        if self.judgements:
            d["judgements"] = list(self.judgements)
        return d

    def to_json(self) -> str:
        """`json.dumps(self.to_dict(), ensure_ascii=False, indent=2)` and a newline, written by
        pydantic-core in a tenth of the time (a report holds only text, whole numbers, booleans,
        null, lists and groups; tests/test_golden.py checks both write the same bytes)."""
        return to_json(self.to_dict(), indent=2).decode("utf-8") + "\n"
