"""Hostile files, each through `closure-check check FILE` in its own process, with a time limit
and a memory limit: a clear error (exit 2) naming the file and, where there is one, the field;
or a defined result (exit 0 or 1). Never a traceback, never a hang, never unbounded memory.

test_record.py tests the record loader's answers to most of these in-process; here the whole
command is under test, as a case management system or a worker would run it.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from closure_check.errors import InputError
from closure_check.record import load_record

from .conftest import AS_OF, base_record

MEMORY_LIMIT = 1536 * 2**20  # 1.5 GB of address space for the checker's process
TIME_LIMIT = 60  # seconds; every case below should take about one


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "closure-check"
    return [str(script)] if script.exists() else [sys.executable, "-m", "closure_check.cli"]


def _limit_memory() -> None:  # runs in the child, before the checker starts
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def check(path: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    """`closure-check check PATH` in a process of its own, bounded in time and memory."""
    return subprocess.run(
        [*_cli(), "check", str(path), "--as-of", AS_OF.isoformat(), *args],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limit_memory,
        check=False,
    )


def refused(proc: subprocess.CompletedProcess[str], path: Path | str) -> str:
    """The process exited 2 with a message naming the file, printed nothing else, and showed
    no traceback. Returns what it said."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stdout[:2000], proc.stderr[-2000:])
    assert proc.stdout == ""
    assert str(path) in proc.stderr, proc.stderr
    return proc.stderr


def accepted(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr[-2000:])


def write_json(path: Path, data: Any, *, indent: int | None = 2) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=indent), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_a_key_given_twice_exits_2_naming_the_file_and_the_field(tmp_path: Path) -> None:
    text = json.dumps(base_record(), indent=2)
    text = text.replace('"name": "Amy",', '"name": "Amy",\n      "name": "Amelia",', 1)
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    said = refused(check(path), path)
    assert f"{path}: children[0].name: is given twice" in said


def test_a_yaml_key_given_twice_exits_2_naming_the_file_the_line_and_the_field(
    tmp_path: Path,
) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text(
        "id: A-1\nkind: initial\nstarted_on: '2024-03-04'\nkind: s47\n", encoding="utf-8"
    )
    said = refused(check(path), path)
    assert f"{path}:4:" in said
    assert '"kind" is given twice' in said


def test_an_unknown_field_exits_2_naming_the_file_and_the_field(tmp_path: Path) -> None:
    data = base_record()
    data["people"][2]["suporting"] = data["people"][2].pop("supporting")
    path = write_json(tmp_path / "misspelt.json", data)
    said = refused(check(path), path)
    assert f"{path}: people[2].suporting: unknown field" in said


def test_a_yaml_alias_bomb_is_refused_quickly_within_the_memory_limit(tmp_path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefghijk", "bcdefghijkl", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")  # 10^12 values if expanded
    start = time.monotonic()
    said = refused(check(path), path)
    assert time.monotonic() - start < 10
    assert "aliases" in said


def _big_record(path: Path, size: int) -> Path:
    """A record that is valid but for its size: a note padded to `size` bytes."""
    data = base_record()
    data["checks"][0]["note"] = ""
    text = json.dumps(data, indent=2)
    pad = size - len(text.encode())
    text = text.replace('"note": ""', '"note": "' + "x" * pad + '"', 1)
    path.write_text(text, encoding="ascii")
    assert path.stat().st_size == size
    return path


TOO_LARGE = re.compile(r"(?i)too (large|big)|larger|bigger|size|\bMB\b|bytes")


@pytest.fixture
def huge(tmp_path: Path) -> Iterator[Path]:
    """A valid record of 100 MB (a note padded out), removed afterwards."""
    path = _big_record(tmp_path / "huge.json", 100 * 2**20)
    yield path
    path.unlink()


def test_a_100_mb_file_is_refused_as_too_large_with_a_clear_message(huge: Path) -> None:
    start = time.monotonic()
    said = refused(check(huge), huge)
    assert TOO_LARGE.search(said), said
    assert time.monotonic() - start < 10


def test_a_100_mb_file_is_refused_before_it_is_read_whole(huge: Path) -> None:
    """The loader itself refuses it, having read no more than a little of it (the command line
    and the audit both load files through it)."""
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            load_record(huge, as_of=AS_OF)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(huge) in str(caught.value)
    assert TOO_LARGE.search(str(caught.value)), str(caught.value)
    # It may read up to its limit, but never the whole file.
    assert peak < huge.stat().st_size // 2, f"{peak / 2**20:.0f} MB were read to refuse it"


def test_a_device_that_never_ends_is_refused_not_read_forever() -> None:
    """/dev/zero has no end: reading it whole would exhaust memory."""
    said = refused(check("/dev/zero"), "/dev/zero")
    assert "/dev/zero" in said


def test_json_nested_100000_deep_exits_2_quickly(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"id": ' + '{"a": [' * 50_000 + "]}" * 50_000 + "}", encoding="utf-8")
    start = time.monotonic()
    said = refused(check(path), path)
    assert "nested too deeply" in said
    assert time.monotonic() - start < 10


def test_bytes_that_are_not_utf8_exit_2_naming_the_file_and_the_line(tmp_path: Path) -> None:
    path = write_json(tmp_path / "latin1.json", base_record() | {"x_note": "caf\u00e9"})
    line = line_of(path, '"x_note"')
    path.write_bytes(path.read_bytes().replace("caf\u00e9".encode(), b"caf\xe9"))  # Latin-1
    said = refused(check(path), path)
    assert f"{path}:{line}:" in said
    assert "UTF-8" in said


def test_a_utf8_byte_order_mark_is_skipped_and_changes_nothing(tmp_path: Path) -> None:
    plain = write_json(tmp_path / "plain.json", base_record())
    marked = tmp_path / "marked.json"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    with_mark, without = check(marked, "--format", "json"), check(plain, "--format", "json")
    accepted(with_mark)
    assert with_mark.returncode == without.returncode == 0
    reports = [json.loads(p.stdout) for p in (with_mark, without)]
    for report in reports:
        del report["input_sha256"]  # the files differ by the mark; nothing else may
    assert reports[0] == reports[1]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_exit_2_naming_the_file_and_the_field(
    tmp_path: Path, constant: str
) -> None:
    text = json.dumps(base_record(), indent=2)
    text = text.replace('"name": "Amy",', f'"name": "Amy",\n      "unborn": {constant},', 1)
    path = tmp_path / "nan.json"
    path.write_text(text, encoding="utf-8")
    line = line_of(path, '"unborn"')
    said = refused(check(path), path)
    assert constant.lstrip("-") in said
    # record-format.md: the checker names the field path; in a file written one field a line,
    # the line is as good.
    assert "children[0].unborn" in said or f"{path}:{line}:" in said, said


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_yaml_nan_and_infinity_exit_2_naming_the_file_and_the_line(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "nan.yaml"
    path.write_text(f"id: A-1\nkind: initial\nx_score: {value}\n", encoding="utf-8")
    said = refused(check(path), path)
    assert f"{path}:3:" in said
    assert "NaN and Infinity are not allowed" in said


def test_an_impossible_date_exits_2_naming_the_file_and_the_field(tmp_path: Path) -> None:
    data = base_record()
    data["children"][0]["seen"][0]["on"] = "2025-02-30"
    path = write_json(tmp_path / "date.json", data)
    said = refused(check(path), path)
    assert f'{path}: children[0].seen[0].on: "2025-02-30" is not a real date' in said


@pytest.mark.parametrize(
    ("where", "put"),
    [
        ("a check's note", lambda d, t: d["checks"][0].__setitem__("note", t)),
        ("how a parent was considered", lambda d, t: d["people"][0].__setitem__("considered", t)),
        ("the recommendations", lambda d, t: d["children"][0].__setitem__("recommendations", t)),
    ],
)
def test_text_of_1_mb_is_accepted_quickly_and_changes_no_verdict(
    tmp_path: Path, where: str, put: Any
) -> None:
    short, long = base_record(), base_record()
    put(short, "Seen at home; see the case note of 2024-03-06.")
    # A megabyte of text, with braces and a placeholder in it (it is not one as a whole).
    put(long, ("Seen at home {{ name }} n/a; " * 40_000)[: 2**20 - 1] + "!")
    short_path = write_json(tmp_path / "short.json", short)
    long_path = write_json(tmp_path / "long.json", long)
    start = time.monotonic()
    proc = check(long_path, "--format", "json")
    elapsed = time.monotonic() - start
    accepted(proc)
    assert elapsed < 15, f"{where}: {elapsed:.1f} s"
    report, baseline = (
        json.loads(proc.stdout),
        json.loads(check(short_path, "--format", "json").stdout),
    )
    assert report["verdict"] == baseline["verdict"] == "pass"
    statuses = [[(r["rule"], r["status"]) for r in rep["results"]] for rep in (report, baseline)]
    assert statuses[0] == statuses[1]


def test_a_name_written_like_a_template_is_printed_as_written_not_run(tmp_path: Path) -> None:
    data = base_record()
    data["children"][0]["name"] = "{{ 'zq' ~ 'xv' }}{% include '/etc/passwd' %}"
    data["children"][0]["recommendations"] = "{{ ''.__class__.__mro__ }}"
    path = write_json(tmp_path / "template.json", data)
    proc = check(path, "--format", "text", "--verbose")  # passes, naming the child, are shown
    accepted(proc)
    assert "{{ 'zq' ~ 'xv' }}{% include '/etc/passwd' %}" in proc.stdout
    assert "{{ ''.__class__.__mro__ }}" in proc.stdout
    assert "zqxv" not in proc.stdout
    assert "root:" not in proc.stdout


def test_random_bytes_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "noise.json"
    path.write_bytes(bytes(range(256)) * 64)
    refused(check(path), path)
