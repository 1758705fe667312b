"""The report of one record: what the checker decided and why, in report-format.md's shape."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

RuleStatus = Literal["pass", "fail", "not_applicable"]


@dataclass(frozen=True)
class Finding:
    """What a rule found about one subject (a child, an adult, an agency or the assessment)."""

    subject: str
    name: str
    status: Literal["pass", "fail"]
    message: str
    problem: str = ""  # what is wrong (fail only)
    remedy: str = ""  # what would put it right (fail only)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "subject": self.subject,
            "status": self.status,
            "message": self.message,
            "name": self.name,
        }
        if self.status == "fail":
            d["problem"], d["remedy"] = self.problem, self.remedy
        return d


@dataclass(frozen=True)
class RuleResult:
    rule: str
    title: str
    severity: Literal["blocker", "advisory"]
    source: str
    status: RuleStatus
    findings: tuple[Finding, ...]
    message: str = ""  # why the rule did not apply (not_applicable only)

    @property
    def failures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status == "fail")

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

    @property
    def failed_rules(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.status == "fail")

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
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
