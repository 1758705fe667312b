"""The objects a report is made of (report.py) and a decision's (verdict.py) are frozen
dataclasses whose __init__ is written out, to make them at half the cost: it takes each field,
in order, with its default, and they stay frozen, comparable, replaceable and picklable."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from closure_check.report import Finding, RuleResult
from closure_check.verdict import Failure, RuleDecision, SubjectFinding

QUICK = [Finding, RuleResult, SubjectFinding, RuleDecision]


@pytest.mark.parametrize("cls", QUICK, ids=lambda c: c.__name__)
def test_the_written_init_takes_the_fields_in_order_with_their_defaults(cls: type) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert p.default == (
            inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        )
        assert f.default_factory is dataclasses.MISSING
        assert p.annotation == f.type, (p.name, p.annotation, f.type)


def _made() -> list[object]:
    finding = Finding("C1", "Amy", "fail", "m", "p", "r", {"by": "B"}, {"service": "s"})
    sub = SubjectFinding(0, "c0", "C1", "Amy", frozenset({Failure(0, "police", "k0")}), 2)
    return [
        finding,
        RuleResult("child-seen", "T", "blocker", "6.4.3", "fail", (finding,), "", {"file": "f"}),
        sub,
        RuleDecision(1, "fail", (sub,)),
    ]


@pytest.mark.parametrize("obj", _made(), ids=lambda o: type(o).__name__)
def test_they_stay_frozen_comparable_replaceable_and_picklable(obj: object) -> None:
    first = dataclasses.fields(obj)[0].name  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, first, "changed")
    assert pickle.loads(pickle.dumps(obj)) == obj
    assert dataclasses.replace(obj) == obj  # type: ignore[type-var]
    assert dataclasses.replace(obj, **{first: "other"}) != obj  # type: ignore[type-var]
    assert repr(obj).startswith(type(obj).__name__ + "(")
    assert list(vars(obj)) == [f.name for f in dataclasses.fields(obj)]  # type: ignore[arg-type]
