"""The audit's workers read their own records (issue 14, item 3): the parent finds pieces (runs
of record files, ranges of a JSON Lines file's lines found by their line ends alone), each
worker reads and decodes its own, with the same problems for bad lines as reading them one by
one, and writes its own rows; the outputs are the same for any number of workers."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from closure_check import audit, pool, poolworker
from closure_check.audit import runner as audit_runner
from closure_check.audit import worker as audit_worker
from closure_check.cli import main
from closure_check.sources import discover
from closure_check.sources.discover import Files, Found, Lines, Refused, lines_of, pieces_in

from .conftest import AS_OF, EXAMPLES
from .test_audit import CRASHING_ID, crash_on_one_record, record_data


def line_of(name: str, i: int) -> bytes:
    data = record_data(name)
    data["id"] = f"{data['id']}-{i:03d}"
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def mixed_inputs(folder: Path) -> Path:
    """A folder of record files (JSON, YAML, a subfolder) and JSON Lines files with every kind
    of bad line: not UTF-8, blank, only spaces, too long, not JSON, a byte-order mark on line
    1, the last line without a line end; several pieces long."""
    folder.mkdir()
    for n, name in enumerate(sorted(EXAMPLES.glob("*.json"))[:8]):
        shutil.copy(name, folder / f"{n:02d}-{name.name}")
    shutil.copy(EXAMPLES / "clean-pass-yaml.yaml", folder / "05b-pass.yaml")
    (folder / "sub").mkdir()
    shutil.copy(EXAMPLES / "fail-unchecked-carer.json", folder / "sub" / "carer.json")
    names = ["child-j-sibling-june-2008.json", "clean-pass.json", "fail-unchecked-carer.json"]
    lines = [line_of(names[i % 3], i) for i in range(150)]
    lines[0] = b"\xef\xbb\xbf" + lines[0]
    lines[9] = b"\xff\xfe not text"
    lines[20] = b""
    lines[21] = b"   \t "
    lines[40] = b"x" * 70_000  # longer than the largest record the test allows
    lines[64] = b"{not json"
    lines[65] = b"\xef\xbb\xbf" + line_of(names[0], 65)  # a mark not on line 1 is no mark
    (folder / "m-many.jsonl").write_bytes(b"\n".join(lines))  # no line end at the end
    (folder / "n-few.jsonl").write_bytes(line_of(names[2], 900) + b"\n\n\xc3(\n")
    (folder / "o-empty.jsonl").write_bytes(b"")
    return folder


def test_the_audits_json_and_csv_are_the_same_for_one_two_and_three_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discover, "MAX_RECORD_BYTES", 64 * 1024)
    monkeypatch.setattr(discover, "_BLOCK", 4096)  # line ends are found across blocks
    folder = mixed_inputs(tmp_path / "records")
    written = []
    for workers in (1, 2, 3):
        j, c = tmp_path / f"w{workers}.json", tmp_path / f"w{workers}.csv"
        args = ["audit", str(folder), "--as-of", AS_OF.isoformat(), "--workers", str(workers)]
        args += ["--json", str(j), "--csv", str(c)]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 1, result.output
        written.append((j.read_bytes(), c.read_bytes()))
    assert written[0] == written[1] == written[2]
    data = json.loads(written[0][0])
    errors = [
        (Path(e["source"]).name, e["line"], e["problems"][0]["message"]) for e in data["errors"]
    ]
    # a byte-order mark is dropped on line 1 only: on line 66 the line is not JSON
    assert [(name, line) for name, line, _ in errors if line] == [
        *[("m-many.jsonl", n) for n in (10, 41, 65, 66)],
        ("n-few.jsonl", 3),
    ]
    assert all(name.endswith(".jsonl") for name, _, _ in errors)
    messages = [m for _, line, m in errors if line]
    assert messages[0].startswith("is not UTF-8 text (byte 0xff")
    assert messages[1].startswith("is too large to be a record")
    assert messages[4].startswith("is not UTF-8 text (byte 0xc3")
    files = len(list(folder.glob("*.json"))) + 2  # the YAML and the subfolder's
    assert data["read"] == files + (150 - 2) + 2  # blank lines are no records
    ids = [r["assessment_id"] for r in data["reports"]]
    assert ids == sorted(ids, key=ids.index)  # input order: files by name, then lines
    assert "IA-2008-0613-CJ-000" in ids  # line 1, its byte-order mark dropped
    assert "IA-2008-0613-CJ-003" in ids and "IA-2008-0613-CJ-065" not in ids


def test_a_json_lines_file_is_found_in_pieces_whose_lines_are_those_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discover, "_BLOCK", 7)
    path = tmp_path / "lines.jsonl"
    raw = [b'{"a": 1}', b"", b"\xef\xbb\xbf{}", b"\xff", b"  ", b"x" * 30, b'{"b":\r', b"{}"]
    path.write_bytes(b"\n".join(raw) + b"\n")
    expected = {}
    with path.open("rb") as f:
        for number, line in enumerate(discover.jsonl_lines(f), start=1):
            expected[number] = discover._line(str(path), number, line)
    for size in (1, 2, 3, 8, 64):
        pieces = list(pieces_in([path], size=size))
        assert all(isinstance(p, Lines) and p.count <= size for p in pieces)
        firsts = [p.first for p in pieces if isinstance(p, Lines)]
        assert firsts == list(range(1, len(raw) + 1, size))
        found = dict(item for p in pieces if isinstance(p, Lines) for item in lines_of(p))
        assert found == expected
    assert isinstance(expected[3], Found) and expected[3].text == "\ufeff{}\n"  # not line 1
    assert isinstance(expected[4], Refused) and expected[2] is None and expected[5] is None
    assert isinstance(expected[7], Found) and expected[7].text == '{"b":\r\n'


def test_a_piece_cut_where_its_worker_died_reads_only_its_own_records(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"".join(b'{"n": %d}\n' % n for n in range(1, 11)))
    (piece,) = [audit_worker._Piece(100, p) for p in pieces_in([path]) if isinstance(p, Lines)]
    before, one, after = audit_runner._split(piece, 104)
    assert before is not None and after is not None
    assert [(p.seq, p.size) for p in (before, one, after)] == [(100, 4), (104, 1), (105, 5)]
    texts = [[t.text for t in audit_worker._tasks_of(p)] for p in (before, one, after)]
    assert texts == [
        [f'{{"n": {n}}}\n' for n in range(1, 5)],
        ['{"n": 5}\n'],
        [f'{{"n": {n}}}\n' for n in range(6, 11)],
    ]
    files = audit_worker._Piece(7, Files((("a.json", "json"), ("b.yaml", "yaml"))))
    first, alone, rest = audit_runner._split(audit_runner._alone(files), 7)
    assert first is None and rest is not None and alone.alone and rest.alone
    assert alone.found.files == (("a.json", "json"),) and rest.seq == 8


@pytest.mark.parametrize("workers", [1, 2])
def test_a_worker_dying_on_a_record_checked_alone_costs_that_record_only(
    tmp_path: Path, workers: int
) -> None:
    """The 17th record of a piece is the only one of its engine session: the worker dies on
    it, not in a batch, and the piece is cut there."""
    lines = tmp_path / "many.jsonl"
    data = [
        json.loads(line_of("clean-pass.json" if i % 2 else "child-j-sibling-june-2008.json", i))
        for i in range(40)
    ]
    data[16]["id"] = CRASHING_ID
    lines.write_text("".join(json.dumps(d) + "\n" for d in data), encoding="utf-8")
    folder = tmp_path / "files"
    folder.mkdir()
    for i, d in enumerate(data[:17]):
        (folder / f"{i:02d}.yaml").write_text(yaml.safe_dump(d), encoding="utf-8")
    normal = audit.run([lines, folder], as_of=AS_OF, workers=workers)
    crashed = audit.run([lines, folder], as_of=AS_OF, workers=workers, check_fn=crash_on_one_record)
    c = crashed.counts
    assert (c.read, c.crashed, c.invalid, c.checked) == (57, 2, 2, 55)
    assert [(Path(e["source"]).name, e["line"]) for e in crashed.errors] == [
        ("many.jsonl", 17),
        ("16.yaml", None),
    ]
    assert {e["assessment_id"] for e in crashed.errors} == {CRASHING_ID}
    others = [row for row in normal.exceptions if row["assessment_id"] != CRASHING_ID]
    assert list(crashed.exceptions) == others


def settings_probe(state: None, tasks: list[Any], current: pool.Current) -> Any:
    import gc

    for task in tasks:
        yield [(task.seq, gc.get_freeze_count() > 0, gc.get_threshold())]


class _Task:
    def __init__(self, seq: int) -> None:
        self.seq = seq


def test_a_worker_freezes_what_it_built_at_start_and_collects_garbage_less_often() -> None:
    work: pool.Work[None, Any, Any] = pool.Work(start=dict, handle=settings_probe)
    crashes: pool.Crashes[Any, Any] = pool.Crashes(answer=lambda t, how: how, isolate=lambda t: t)
    answers = list(pool.run_ordered(iter([_Task(0), _Task(1)]), work, crashes, workers=1))
    assert answers == [(0, True, poolworker.GC_THRESHOLD), (1, True, poolworker.GC_THRESHOLD)]
    poolworker.settle()  # and nothing happens to this process that fails


def test_an_audit_of_records_checked_in_a_piece_holds_them_in_input_order(tmp_path: Path) -> None:
    lines = tmp_path / "many.jsonl"
    lines.write_bytes(b"\n".join(line_of("fail-unchecked-carer.json", i) for i in range(200)))
    with audit.run([lines], as_of=date(2025, 6, 30), workers=2) as result:
        assert [e["line"] for e in result.needing_action] == list(range(1, 201))
        assert [r["assessment_id"] for r in result.reports] == [
            f"IA-2025-0521-{i:03d}" for i in range(200)
        ]
    assert not os.path.exists(result.spool_folder)


def test_a_json_lines_file_changed_after_it_was_cut_is_told_piece_by_piece_never_misread(
    tmp_path: Path,
) -> None:
    """An export rewriting the file while the audit runs: its pieces no longer start at a line,
    so no piece reads it; each says which of its lines were not checked (none is lost
    silently, none reported as bad JSON)."""
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"".join(b'{"n": %d}\n' % n for n in range(1, 11)))
    pieces = [audit_worker._Piece(p.first - 1, p) for p in pieces_in([path], size=4)]
    assert all(isinstance(p.found, Lines) for p in pieces)
    path.write_bytes(b'{"new": "first line"}\n' + path.read_bytes())
    told = []
    for piece in pieces:
        (task,) = audit_worker._tasks_of(piece)
        assert task.text is None and task.refused is not None and task.refused.unreadable
        told.append(task.refused.problem.message)
    assert told == [
        "was changed while the audit was reading it, so lines 1 to 4 were not checked; audit it"
        " again once it no longer changes",
        "was changed while the audit was reading it, so lines 5 to 8 were not checked; audit it"
        " again once it no longer changes",
        "was changed while the audit was reading it, so lines 9 to 10 were not checked; audit it"
        " again once it no longer changes",
    ]
    # a file as it was when it was cut is read as ever
    fresh = [audit_worker._Piece(p.first - 1, p) for p in pieces_in([path], size=4)]
    assert next(t.text for t in audit_worker._tasks_of(fresh[0])) == '{"new": "first line"}\n'


def test_a_json_lines_file_gone_after_it_was_cut_says_which_lines_of_each_piece_were_not_checked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"".join(b'{"n": %d}\n' % n for n in range(1, 10)))
    pieces = [audit_worker._Piece(p.first - 1, p) for p in pieces_in([path], size=4)]
    path.unlink()
    told = []
    for piece in pieces:
        (task,) = audit_worker._tasks_of(piece)
        assert task.refused is not None and task.refused.unreadable
        told.append(task.refused.problem.message)
    gone = "cannot be read: No such file or directory, so "
    assert told == [
        f"{gone}lines 1 to 4 were not checked",
        f"{gone}lines 5 to 8 were not checked",
        f"{gone}line 9 was not checked",
    ]
