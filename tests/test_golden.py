"""Golden files: the compiled form of the bundled rules, and the JSON report of every example.

A change to how rules compile, or to what a report says, shows here as a diff of a file under
tests/golden/ that a reviewer reads. When the change is meant, write the files again with
`CLOSURE_CHECK_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and commit them with it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from closure_check import form
from closure_check.cli import main
from closure_check.compiler import compile_rules
from closure_check.engine import dialect
from closure_check.rulefile import load_rules

from .conftest import EXAMPLES, RULES

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CLOSURE_CHECK_UPDATE_GOLDEN") == "1"
#: The as-of date of the golden reports: after every date in the examples.
AS_OF = "2026-01-01"


def _matches_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: write it with CLOSURE_CHECK_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def _plain(value: Any) -> Any:
    """The neutral form as JSON, each condition tagged with its kind."""
    if isinstance(value, form.Test):
        return {"test": [value.op, value.field, _plain(value.value)]}
    if isinstance(value, form.FieldOf):
        return {"field_of": [value.name, value.field]}
    if isinstance(value, form.All | form.AnyOf):
        return {type(value).__name__.lower(): [_plain(p) for p in value.parts]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _program() -> form.Program:
    return compile_rules(load_rules(RULES))


def test_the_neutral_form_of_the_bundled_rules_is_the_golden_one() -> None:
    text = json.dumps(_plain(_program()), ensure_ascii=False, indent=1) + "\n"
    _matches_golden("program.json", text)


def test_the_ruleset_registered_with_durable_rules_is_the_golden_one() -> None:
    definition, _ = dialect.to_durable(_program())
    registered = dialect.batched(definition)
    text = json.dumps(registered, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    _matches_golden("ruleset.json", text)


def test_every_engine_rule_has_a_meaning_but_the_guard() -> None:
    definition, meaning = dialect.to_durable(_program())
    assert set(definition) - set(meaning) == {dialect.GUARD}


EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json")) + sorted(EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_the_json_report_of_every_example_is_byte_identical_to_its_golden_one(path: Path) -> None:
    """Made from the code before the restructure (issue 10): the restructure changed no byte."""
    result = CliRunner().invoke(
        main, ["check", str(path), "--format", "json", "--as-of", AS_OF, "--rules", str(RULES)]
    )
    assert result.exit_code in (0, 1), result.output
    _matches_golden(f"reports/{path.name}.report.json", result.stdout)


def test_a_report_is_written_as_json_dumps_with_an_indent_of_two_would_write_it() -> None:
    """Report.to_json uses pydantic-core for speed: the bytes must be json.dumps's, whatever
    characters the record's text holds (control characters, line separators, emoji)."""
    import random

    from closure_check.report import Report

    rng = random.Random(2026)
    alphabet = [chr(c) for c in [*range(0x250), 0x2028, 0x2029, 0xFEFF, 0x1F600, 0x10FFFF]]
    for n in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        report = Report(text, "fail", "2026-01-01", "v", (), kind=text, worker={"name": text})
        expected = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
        assert report.to_json() == expected, (n, text)
    for path in sorted((GOLDEN / "reports").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert json.dumps(data, ensure_ascii=False, indent=2) + "\n" == path.read_text()
