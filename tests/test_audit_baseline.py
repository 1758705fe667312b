"""Baselines that cannot mislead (issue 15, item 7): other rules or a later date are named in a
warning everywhere; a persisting exception carries the day it was first seen."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from closure_check.cli import main

from .conftest import EXAMPLES

RECORD = EXAMPLES / "fail-father-not-considered.json"


def audit_to(tmp_path: Path, stem: str, as_of: str, *extra: str) -> tuple[Result, dict[str, Any]]:
    out = {kind: tmp_path / f"{stem}.{kind}" for kind in ("json", "html", "csv", "xlsx")}
    args = ["audit", str(RECORD), "--as-of", as_of, *extra]
    for kind, path in out.items():
        args += [f"--{kind}", str(path)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result, json.loads(out["json"].read_text(encoding="utf-8"))


def test_a_persisting_exception_keeps_the_day_it_was_first_seen_through_baselines(
    tmp_path: Path,
) -> None:
    _, week1 = audit_to(tmp_path, "w1", "2025-06-02")
    assert {e["first_seen"] for e in week1["exceptions"]} == {"2025-06-02"}
    assert {e["days_since_first_seen"] for e in week1["exceptions"]} == {0}
    _, week2 = audit_to(tmp_path, "w2", "2025-06-09", "--baseline", str(tmp_path / "w1.json"))
    assert {e["days_since_first_seen"] for e in week2["exceptions"]} == {7}
    _, week3 = audit_to(tmp_path, "w3", "2025-06-16", "--baseline", str(tmp_path / "w2.json"))
    assert week3["exceptions"] and {e["status"] for e in week3["exceptions"]} == {"persisting"}
    assert {e["first_seen"] for e in week3["exceptions"]} == {"2025-06-02"}
    assert {e["days_since_first_seen"] for e in week3["exceptions"]} == {14}
    rows = list(csv.DictReader(io.StringIO((tmp_path / "w3.csv").read_text("utf-8-sig"))))
    assert {r["first seen"] for r in rows} == {"2025-06-02"}
    assert "14 days ago" in (tmp_path / "w3.html").read_text(encoding="utf-8")


def test_a_baseline_from_an_audit_without_first_seen_counts_from_its_own_date(
    tmp_path: Path,
) -> None:
    _, week1 = audit_to(tmp_path, "w1", "2025-06-02")
    for e in week1["exceptions"]:
        del e["first_seen"]
    (tmp_path / "old.json").write_text(json.dumps(week1), encoding="utf-8")
    _, week2 = audit_to(tmp_path, "w2", "2025-06-12", "--baseline", str(tmp_path / "old.json"))
    assert {e["days_since_first_seen"] for e in week2["exceptions"]} == {10}


def _warned_everywhere(tmp_path: Path, stem: str, result: Result, data: dict[str, Any]) -> str:
    """The one warning, as standard error, the JSON, the HTML, the CSV and the workbook show."""
    import openpyxl

    assert len(data["warnings"]) == 1
    warning = data["warnings"][0]
    assert "w1.json" in warning
    assert warning in result.stderr
    assert "Warning:" in (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO((tmp_path / f"{stem}.csv").read_text("utf-8-sig"))))
    assert rows[0]["finding"] == "warning" and rows[0]["what is wrong"] == warning
    summary = openpyxl.load_workbook(tmp_path / f"{stem}.xlsx")["summary"]
    assert ("warning", warning) in list(summary.iter_rows(values_only=True))
    return str(warning)


def test_a_baseline_made_with_other_rules_is_named_in_a_warning_in_every_output(
    tmp_path: Path,
) -> None:
    _, week1 = audit_to(tmp_path, "w1", "2025-06-02")
    week1["rules_version"] = "0000000000000000"
    (tmp_path / "w1.json").write_text(json.dumps(week1), encoding="utf-8")
    result, week2 = audit_to(tmp_path, "w2", "2025-06-09", "--baseline", str(tmp_path / "w1.json"))
    assert result.exit_code == 1
    warning = _warned_everywhere(tmp_path, "w2", result, week2)
    assert "0000000000000000" in warning and week2["rules_version"] in warning


def test_a_baseline_dated_after_the_audit_is_named_in_a_warning_in_every_output(
    tmp_path: Path,
) -> None:
    audit_to(tmp_path, "w1", "2025-06-20")
    result, early = audit_to(tmp_path, "w0", "2025-06-02", "--baseline", str(tmp_path / "w1.json"))
    warning = _warned_everywhere(tmp_path, "w0", result, early)
    assert "2025-06-20" in warning and "2025-06-02" in warning
    assert {e["days_since_first_seen"] for e in early["exceptions"]} == {0}  # never negative


def test_a_baseline_of_the_same_rules_and_an_earlier_date_gives_no_warning(tmp_path: Path) -> None:
    audit_to(tmp_path, "w1", "2025-06-02")
    result, week2 = audit_to(tmp_path, "w2", "2025-06-09", "--baseline", str(tmp_path / "w1.json"))
    assert week2["warnings"] == [] and "warning" not in result.stderr
    assert "Warning:" not in (tmp_path / "w2.html").read_text(encoding="utf-8")
