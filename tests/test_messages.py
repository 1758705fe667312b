"""Messages are read through views of the record's items (explain.py) in jinja2's sandbox
(rulefile/messages.py). A view's fields are read past the sandbox's checks, because they are
data; every other name still meets the sandbox, when a message is written as well as when the
rules are loaded: a name computed from the rule's data gets past the check at load time, and
must get nothing when the message is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from closure_check import explain as explain_module
from closure_check.api import checker_for
from closure_check.facts import build_facts
from closure_check.record.load import load_record
from closure_check.rulefile.messages import FieldView, Messages

from .conftest import AS_OF, EXAMPLES

SIBLING = EXAMPLES / "child-j-sibling-june-2008.json"


def _views() -> dict[str, Any]:
    """The values a message is given about the Child J example: the record, a child, an adult,
    a visit, the checks, and items that are pydantic models rather than dicts."""
    record = load_record(SIBLING, as_of=AS_OF)
    facts = build_facts(record, checker_for(None).terms)
    views = explain_module._Views(facts.items)
    return {
        "record": views.record,
        "child": views.fact("c0"),
        "adult": views.fact("p0"),
        "visit": views.fact("v0_0"),
        "checks": views.checks,
        "decision": views.record.decision,  # a model
        "worker": views.record.worker,  # a model
    }


def _written(template: str, **context: Any) -> str:
    messages = Messages({})
    messages.add(template, source=Path("r.yaml"), field="pass")  # passes the load-time check
    return messages.render(template, context)


UNSAFE = ["__class__", "__dict__", "__init__", "_of", "_seen", "_field", "__getattr__"]


@pytest.mark.parametrize("name", UNSAFE)
@pytest.mark.parametrize("item", ["record", "child", "visit", "decision", "worker"])
def test_a_name_from_the_rules_data_reaching_for_internals_gets_nothing_when_written(
    item: str, name: str
) -> None:
    """`x[data.key]`, `x | attr`-like `map(attribute=...)`: the name is only known when the
    message is written, and the sandbox refuses it then."""
    views = _views()
    data = {"key": name}
    for template in (
        "{{ x[data.key] }}",
        "{{ [x] | map(attribute=data.key) | list }}",
        "{{ [x] | selectattr(data.key) | list }}",
    ):
        said = _written(template, x=views[item], data=data)
        refused = said.startswith("[this rule's message could not be written") and (
            "unsafe" in said or "no attribute" in said
        )
        assert refused or said in ("[Undefined]", "[]"), (template, said)
        assert "<" not in said and "{" not in said and "=" not in said, said


def test_a_view_of_a_model_no_longer_hands_its_class_to_a_message() -> None:
    """Before views read fields past the sandbox, `record.decision[data.key]` gave the
    Decision model's class itself (a view's `[]` asked Python for any attribute)."""
    said = _written("{{ x[data.key] }}", x=_views()["decision"], data={"key": "__class__"})
    assert "unsafe" in said and "Decision" not in said


@pytest.mark.parametrize("item", ["record", "child", "adult", "decision", "worker"])
def test_pydantics_own_entries_of_a_model_are_no_field_of_a_view(item: str) -> None:
    """A model's `__dict__` holds pydantic's `__pydantic_extra__` (the record's `x_` fields,
    free text kept out of every message): a computed name reaching for it gets nothing."""
    views = _views()
    for name in ("__pydantic_extra__", "__pydantic_fields_set__", "_anything"):
        with pytest.raises(AttributeError):
            views[item]._field(name)
        said = _written('{{ x[" " ~ data.key | trim] }}', x=views[item], data={"key": name})
        assert "Undefined" in said or "could not be written" in said, said


def _names(view: Any) -> list[str]:
    of = view._of
    fields = list(of) if isinstance(of, dict) else list(of.__dict__)
    return [*fields, "model_dump", "json", "copy", "not_a_field", "keys", "items", "_of"]


def test_a_views_fields_read_past_the_sandbox_are_what_the_sandbox_reads() -> None:
    """For every field of every item viewed, and names that are not fields, `x.y` gives what
    jinja2's own sandbox gives (an undefined value where it refuses or finds nothing)."""
    env = Messages({})._env
    plain = ImmutableSandboxedEnvironment.getattr
    views = _views()
    items = [v for k, v in views.items() if k != "checks"] + views["checks"]
    read = 0
    for view in items:
        assert isinstance(view, FieldView)
        for name in _names(view):
            fast, slow = env.getattr(view, name), plain(env, view, name)
            if hasattr(slow, "_undefined_name"):  # jinja's Undefined: compare what it says
                assert type(fast) is type(slow) and fast._undefined_hint == slow._undefined_hint
            else:
                assert fast == slow, (name, fast, slow)
                read += 1
    assert read > 50


def test_a_view_reads_each_field_once_and_dates_as_days() -> None:
    child = _views()["child"]
    assert child.seen is child.seen  # viewed once, then kept for the report's other messages
    (visit, *_) = child.seen
    assert isinstance(visit.on, explain_module.Day)
    assert str(visit.on) == explain_module.date_words(visit.on)
    with pytest.raises(AttributeError):
        child.not_a_field  # noqa: B018
    with pytest.raises(KeyError):
        child["not_a_field"]


def test_a_message_given_for_later_is_made_when_first_written_and_only_then() -> None:
    """A cached checker's messages (api.py) are made when first written: from their compiled
    code when the cache has it, else compiled and checked then."""
    made = Messages({})
    made.add("{{ name }} was seen.", source=Path("r.yaml"), field="pass")
    later = Messages({})
    later.later("{{ name }} was seen.", source=Path("r.yaml"), field="pass", code=None)
    later.later("Hello {{ name }}.", source=Path("r.yaml"), field="fail", code=None)
    assert later.code == {}
    assert later.render("{{ name }} was seen.", {"name": "Amy"}) == "Amy was seen."
    assert later.code == made.code  # compiled on first use, to the same code
    cached = Messages({})
    cached.later(
        "{{ name }} was seen.",
        source=Path("r.yaml"),
        field="pass",
        code=made.code["{{ name }} was seen."],
    )
    assert cached.render("{{ name }} was seen.", {"name": "Kai"}) == "Kai was seen."
    with pytest.raises(KeyError):
        later.render("never given", {})
