"""`--redact` really redacts (issue 15, item 8): record files' names are pseudonymised too, in
every output; ids, dates, folders and line numbers are kept."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from closure_check import audit
from closure_check.audit.redact import path_pseudonym
from closure_check.cli import main

from .conftest import EXAMPLES

NAMES = ("tyler-smith-IA0777", "zoe-quill-broken", "jones-family")


def test_no_record_file_name_appears_in_any_redacted_output(tmp_path: Path) -> None:
    folder = tmp_path / "caseload"
    folder.mkdir()
    data = json.loads((EXAMPLES / "fail-child-seen-by-video.json").read_text(encoding="utf-8"))
    data["id"] = "IA0777"
    (folder / "tyler-smith-IA0777.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (folder / "zoe-quill-broken.json").write_text("{not json", encoding="utf-8")
    shutil.copy(EXAMPLES / "batch.jsonl", folder / "jones-family.jsonl")
    out = {kind: tmp_path / f"r.{kind}" for kind in ("json", "html", "csv", "xlsx")}
    args = ["audit", str(folder), "--as-of", "2025-06-30", "--redact"]
    for kind, path in out.items():
        args += [f"--{kind}", str(path)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 1

    import openpyxl

    book = openpyxl.load_workbook(out["xlsx"])
    cells = " ".join(
        str(v) for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row
    )
    texts = {
        "json": out["json"].read_text(encoding="utf-8"),
        "html": out["html"].read_text(encoding="utf-8"),
        "csv": out["csv"].read_text(encoding="utf-8-sig"),
        "xlsx": cells,
        "stdout": result.stdout + result.stderr,
    }
    for where, text in texts.items():
        for name in NAMES:
            assert name not in text, (where, name)
    data = json.loads(texts["json"])
    # the folder, the ending and each line number are kept; the file part is a pseudonym
    sources = {e["source"] for e in data["exceptions"]} | {e["source"] for e in data["errors"]}
    assert all(re.fullmatch(r".*/caseload/file-[0-9a-f]{6}\.(yaml|json|jsonl)", s) for s in sources)
    yaml_row = next(e for e in data["exceptions"] if e["assessment_id"] == "IA0777")
    assert yaml_row["source"] == path_pseudonym(str(folder / "tyler-smith-IA0777.yaml"))
    lines = [e["line"] for e in data["exceptions"] if e["source"].endswith(".jsonl")]
    assert lines and all(isinstance(n, int) for n in lines)
    rows = list(csv.DictReader(io.StringIO(texts["csv"])))
    broken = [r for r in rows if r["finding"] == "could not be checked"]
    assert len(broken) == data["invalid"] >= 1
    assert {r["record id"] for r in rows} >= {"IA0777"}  # ids are kept


def test_a_file_pseudonym_is_the_same_in_every_run_and_differs_between_files() -> None:
    a = path_pseudonym("caseload/tyler-smith-IA0777.yaml")
    assert a == path_pseudonym("caseload/tyler-smith-IA0777.yaml")
    assert a != path_pseudonym("caseload/other.yaml")
    assert a.startswith("caseload/file-") and a.endswith(".yaml")
    assert path_pseudonym(a) == a  # a baseline that was redacted already keeps its names


def test_the_help_of_redact_says_what_is_kept_and_what_is_not() -> None:
    text = " ".join(CliRunner().invoke(main, ["audit", "--help"]).output.split())
    for words in ("file's name", "kept", "ids", "dates", "line numbers", "withhold"):
        assert words in text, words


def test_without_redact_the_file_names_are_kept(tmp_path: Path) -> None:
    record = tmp_path / "tyler-smith-IA0777.json"
    shutil.copy(EXAMPLES / "fail-child-seen-by-video.json", record)
    with audit.run([record], as_of=__import__("datetime").date(2025, 6, 30)) as result:
        assert {e["source"] for e in result.exceptions} == {str(record)}


def test_redacting_withholds_values_quoted_in_problems_and_the_names_of_unknown_fields(
    tmp_path: Path,
) -> None:
    data = json.loads((EXAMPLES / "fail-unchecked-carer.json").read_text(encoding="utf-8"))
    data["people"][0]["relationship"] = "Mason's nan, lives at 12 Elm Road"
    data["children"][0]["Mason lives with Dean"] = True
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "bad.json").write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "a.json"
    table = tmp_path / "a.csv"
    result = CliRunner().invoke(
        main, ["audit", str(folder), "--redact", "--as-of", "2025-06-30",
               "--json", str(out), "--csv", str(table)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    for text in (out.read_text(), table.read_text(), result.output):
        assert "Elm Road" not in text and "lives with Dean" not in text
    (error,) = json.loads(out.read_text())["errors"]
    paths = {p["path"] for p in error["problems"]}
    assert "people[0].relationship" in paths and "children[0].<unknown field>" in paths


def test_redacting_gives_accepted_findings_the_files_pseudonym_too(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    source = EXAMPLES / "judgement-manager-accepts-unchecked-carer.json"
    result = CliRunner().invoke(
        main, ["audit", str(source), "--redact", "--as-of", "2025-06-30", "--json", str(out)]
    )
    assert result.exit_code in (0, 1), result.output
    data = json.loads(out.read_text())
    assert data["accepted"], "the example has an accepted finding"
    assert source.name not in out.read_text()
