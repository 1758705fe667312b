"""`closure-check audit --xlsx`: a real Excel workbook, opened again with openpyxl."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from closure_check.cli import main

from .conftest import AS_OF, EXAMPLES

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any], Path]:
    folder = tmp_path_factory.mktemp("xlsx")
    extra = folder / "extra"
    extra.mkdir()
    data = json.loads((EXAMPLES / "fail-child-seen-by-video.json").read_text(encoding="utf-8"))
    data["id"] = '=HYPERLINK("http://example.org")'
    data["children"][0]["name"] = "=1+2"
    (extra / "formula.json").write_text(json.dumps(data), encoding="utf-8")
    book, js = folder / "audit.xlsx", folder / "audit.json"
    args = ["audit", str(EXAMPLES), str(extra), "--as-of", AS_OF.isoformat()]
    result = CliRunner().invoke(main, [*args, "--xlsx", str(book), "--json", str(js)])
    assert result.exit_code == 1, result.output
    return openpyxl.load_workbook(book), json.loads(js.read_text(encoding="utf-8")), book


def _rows(sheet: Any) -> list[dict[str, Any]]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_the_workbook_has_four_sheets_each_with_a_frozen_header_and_filters(
    workbook: tuple[Any, dict[str, Any], Path],
) -> None:
    book, _, path = workbook
    assert book.sheetnames == ["exceptions", "records needing action", "invalid records", "summary"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert sheet.column_dimensions["A"].width >= 12
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_sheets_count_the_same_as_the_audit_json(
    workbook: tuple[Any, dict[str, Any], Path],
) -> None:
    book, data, _ = workbook
    exceptions = _rows(book["exceptions"])
    assert len(exceptions) == len(data["exceptions"]) + len(data["accepted"])
    assert sum(1 for r in exceptions if r["finding"] == "fails") == len(data["exceptions"])
    action = _rows(book["records needing action"])
    assert len(action) == data["failed"] == len(data["needing_action"])
    assert [r["blockers"] for r in action] == sorted((r["blockers"] for r in action), reverse=True)
    invalid = _rows(book["invalid records"])
    assert len(invalid) == data["invalid"] and all(r["what was wrong"] for r in invalid)
    summary = {r["what"]: r["value"] for r in _rows(book["summary"])}
    assert summary["records read"] == data["read"]
    assert summary["exceptions"] == len(data["exceptions"])
    assert summary["records needing action"] == data["failed"]


def test_record_ids_are_text_and_nothing_from_a_record_is_a_formula_or_a_link(
    workbook: tuple[Any, dict[str, Any], Path],
) -> None:
    book, _, _ = workbook
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert cell.hyperlink is None
    ids = [r["record id"] for r in _rows(book["exceptions"])]
    assert '\'=HYPERLINK("http://example.org")' in ids
    assert all(isinstance(i, str) for i in ids)
    assert "'=1+2" in {r["name"] for r in _rows(book["exceptions"])}
