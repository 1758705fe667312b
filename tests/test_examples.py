"""The bundled examples are decided exactly as worked out by hand in examples_expected.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from closure_check.checker import Checker
from closure_check.errors import InputError
from closure_check.record import load_record, parse_record
from closure_check.sources import decode_json

from .conftest import AS_OF, EXAMPLES

EXPECTED = yaml.safe_load((Path(__file__).parent / "examples_expected.yaml").read_text())
assert EXPECTED["as_of"] == AS_OF.isoformat()


def _load(entry: dict[str, Any]) -> Any:
    path = EXAMPLES / entry["file"]
    if "line" in entry:
        text = path.read_text(encoding="utf-8").splitlines()[entry["line"] - 1]
        data = decode_json(text, source=str(path), line=entry["line"])
        return parse_record(data, source=str(path), line=entry["line"], as_of=AS_OF)
    return load_record(path, as_of=AS_OF)


@pytest.mark.parametrize("key", sorted(EXPECTED["examples"]))
def test_each_example_gets_the_verdict_worked_out_by_hand(checker: Checker, key: str) -> None:
    entry = EXPECTED["examples"][key]
    if entry["verdict"] == "invalid":
        with pytest.raises(InputError) as err:
            _load(entry)
        paths = {p.path for p in err.value.problems}
        assert set(entry["error_paths"]) <= paths
        return
    report = checker.check(_load(entry), as_of=AS_OF)
    assert report.verdict == entry["verdict"]
    assert [r.rule for r in report.results if r.status == "fail"] == entry["failing_rules"]
    assert [r.rule for r in report.results if r.status == "not_applicable"] == entry[
        "not_applicable_rules"
    ]
    accepted = [r.rule for r in report.results if r.status == "accepted"]
    assert accepted == entry.get("accepted_rules", [])
    assert [j["outcome"] for j in report.judgements] == entry.get("judgements", [])


def test_every_example_file_is_listed_in_the_expectations() -> None:
    listed = {e["file"] for e in EXPECTED["examples"].values()}
    on_disk = {
        str(p.relative_to(EXAMPLES))
        for p in EXAMPLES.rglob("*")
        if p.suffix in (".json", ".yaml", ".yml", ".jsonl")
    }
    assert on_disk == listed
