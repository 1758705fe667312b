"""3,000 generated records, their reports fixed before the engine's compile choices and the
audit's speed work (issue 14) changed how they are made: every report, and the audit's JSON and
CSV, must come out byte for byte as they did.

tests/golden/generated-3000.json holds, for the records benchmarks/generate.py makes with seed
2008 as of 2026-06-30: the SHA-256 of the records themselves (so that a change to the generator
is told apart from a change to the reports), the first 16 hex digits of the SHA-256 of each
record's `check --format json` report, in order, and the SHA-256 of the audit's JSON and CSV.
It was written by the code as it was before the change (commit 9c97829). Write it again, when a
change is meant to alter reports, with `CLOSURE_CHECK_UPDATE_GOLDEN=1`, and say why.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from closure_check.api import checker_for
from closure_check.cli import main
from closure_check.record import parse_record

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import record

GOLDEN = Path(__file__).parent / "golden" / "generated-3000.json"
UPDATE = os.environ.get("CLOSURE_CHECK_UPDATE_GOLDEN") == "1"
COUNT, SEED, AS_OF = 3000, 2008, "2026-06-30"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def lines() -> list[str]:
    rng = random.Random(SEED)
    return [json.dumps(record(rng, i), ensure_ascii=False) for i in range(COUNT)]


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    if UPDATE:
        return {}
    assert GOLDEN.exists(), f"{GOLDEN} is missing: write it with CLOSURE_CHECK_UPDATE_GOLDEN=1"
    data: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


def _update(key: str, value: Any) -> None:
    data = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    data[key] = value
    GOLDEN.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def test_the_generated_records_are_the_ones_the_golden_file_was_made_from(
    lines: list[str], golden: dict[str, Any]
) -> None:
    digest = _sha("\n".join(lines).encode("utf-8"))
    if UPDATE:
        _update("records", digest)
        return
    assert digest == golden["records"], (
        "benchmarks/generate.py now makes other records: the reports below cannot be compared"
    )


def test_every_generated_records_report_is_byte_identical_to_before(
    lines: list[str], golden: dict[str, Any]
) -> None:
    checker = checker_for(None)
    as_of = date.fromisoformat(AS_OF)
    digests = []
    for n, line in enumerate(lines, 1):
        rec = parse_record(json.loads(line), source="generated.jsonl", line=n, as_of=as_of)
        report = checker.check(rec, as_of=as_of)
        digests.append(_sha(report.to_json().encode("utf-8"))[:16])
    if UPDATE:
        _update("reports", digests)
        return
    pairs = zip(digests, golden["reports"], strict=True)
    differ = [n for n, (got, was) in enumerate(pairs, 1) if got != was]
    assert not differ, f"{len(differ)} reports differ from before, first on line {differ[:5]}"


@pytest.mark.parametrize("workers", [1, 2])
def test_the_audit_of_the_generated_records_is_byte_identical_to_before(
    lines: list[str],
    golden: dict[str, Any],
    workers: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("generated.jsonl").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    args = ["audit", "generated.jsonl", "--json", "a.json", "--csv", "a.csv", "--as-of", AS_OF]
    result = CliRunner().invoke(main, [*args, "--workers", str(workers)])
    assert result.exit_code == 1, result.output
    got = {f"audit_{x}": _sha(Path(f"a.{x}").read_bytes()) for x in ("json", "csv")}
    if UPDATE:
        for key, value in got.items():
            _update(key, value)
        return
    assert got == {key: golden[key] for key in got}
