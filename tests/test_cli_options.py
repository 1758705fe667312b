"""The command line for scripts (issue 15, item 4): problems as JSON, standard input, choosing
rules with --select and --ignore, --fail-on advisory, and the catalogue as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from closure_check.cli.main import main

from .conftest import AS_OF, EXAMPLES, RULES

CLEAN = EXAMPLES / "clean-pass.json"
CLEAN_YAML = EXAMPLES / "clean-pass-yaml.yaml"
TIMESCALE = EXAMPLES / "timescale-over-45-working-days.json"  # an advisory failure only
NOT_SEEN = EXAMPLES / "fail-child-seen-by-video.json"


def run(*args: str, stdin: bytes | None = None) -> Result:
    common = ["--as-of", AS_OF.isoformat(), "--rules", str(RULES)]
    return CliRunner().invoke(main, [*args, *common], input=stdin)


def test_an_invalid_record_checked_for_json_prints_its_problems_as_json(tmp_path: Path) -> None:
    data = json.loads(CLEAN.read_text(encoding="utf-8"))
    data["kind"] = "intial"
    file = tmp_path / "case.json"
    file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    result = run("check", str(file), "--format", "json")
    assert result.exit_code == 2
    (p,) = json.loads(result.stdout)["problems"]
    assert p.keys() == {"source", "line", "path", "message", "code", "where", "hint"}
    assert (p["source"], p["path"], p["code"]) == (str(file), "kind", "not_one_of")
    assert p["hint"] == 'did you mean "initial"?'
    assert isinstance(p["line"], int)
    assert "1 problem found" in result.stderr


def test_a_json_record_on_standard_input_is_checked_as_the_file_is() -> None:
    from_file = run("check", str(CLEAN), "--format", "json")
    from_stdin = run("check", "-", "--format", "json", stdin=CLEAN.read_bytes())
    assert from_stdin.exit_code == from_file.exit_code == 0
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)


def test_a_yaml_record_on_standard_input_is_read_as_yaml() -> None:
    result = run("check", "-", "--format", "json", stdin=CLEAN_YAML.read_bytes())
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "pass"
    forced = run("check", "-", "--input-format", "json", stdin=CLEAN_YAML.read_bytes())
    assert forced.exit_code == 2
    assert "<standard input>:" in forced.stderr and "not valid JSON" in forced.stderr


def test_standard_input_too_large_to_be_a_record_is_refused_in_the_words_a_file_is(
    tmp_path: Path,
) -> None:
    from closure_check.sources import MAX_RECORD_BYTES

    big = b" " * (MAX_RECORD_BYTES + 1)
    file = tmp_path / "big.json"
    file.write_bytes(big)
    from_file = run("check", str(file), "--format", "json")
    from_stdin = run("check", "-", "--format", "json", stdin=big)
    assert from_file.exit_code == from_stdin.exit_code == 2
    (f,) = json.loads(from_file.stdout)["problems"]
    (s,) = json.loads(from_stdin.stdout)["problems"]
    assert (f["source"], s["source"]) == (str(file), "<standard input>")
    assert f["code"] == s["code"] == "too_large"
    mb = MAX_RECORD_BYTES // 2**20
    limit = f"a record may be at most {mb} MB"
    # just over the limit, its size would say no more than the limit does; stdin's is not known
    assert f["message"] == s["message"] == f"is too large to be a record ({limit})"
    file.write_bytes(b"")
    with file.open("r+b") as sparse:  # a file well over the limit: its size says something
        sparse.truncate(MAX_RECORD_BYTES + 4 * 2**20)
    (far,) = json.loads(run("check", str(file), "--format", "json").stdout)["problems"]
    assert far["message"] == f"is too large to be a record ({mb + 4} MB; {limit})"


def test_ignoring_the_failing_rule_leaves_it_out_and_the_verdict_follows() -> None:
    failing = run("check", str(NOT_SEEN), "--format", "json")
    assert failing.exit_code == 1
    ignored = run("check", str(NOT_SEEN), "--format", "json", "--ignore", "child-seen")
    assert ignored.exit_code == 0, ignored.output
    report = json.loads(ignored.stdout)
    assert report["verdict"] == "pass"
    assert "child-seen" not in [r["rule"] for r in report["results"]]
    assert "not checked (left out): child-seen" in ignored.stderr


def test_selecting_rules_checks_only_those() -> None:
    result = run(
        "check", str(NOT_SEEN), "--format", "json", "--select", "child-seen,child-seen-alone"
    )
    report = json.loads(result.stdout)
    assert [r["rule"] for r in report["results"]] == ["child-seen", "child-seen-alone"]
    assert (result.exit_code, report["verdict"]) == (1, "fail")


def test_an_unknown_rule_id_is_refused_with_the_nearest_ids() -> None:
    result = run("check", str(CLEAN), "--select", "child-sen")
    assert result.exit_code == 2
    assert '--select: "child-sen" is not a rule id of the rules in use' in result.stderr
    assert 'did you mean "child-seen" or "child-seen-alone"?' in result.stderr


def test_fail_on_advisory_exits_1_when_an_advisory_rule_fails() -> None:
    assert run("check", str(TIMESCALE)).exit_code == 0
    result = run("check", str(TIMESCALE), "--fail-on", "advisory")
    assert result.exit_code == 1
    assert run("check", str(CLEAN), "--fail-on", "advisory").exit_code == 0


def test_rules_list_prints_the_catalogue_as_json() -> None:
    result = CliRunner().invoke(main, ["rules", "list", "--format", "json", "--rules", str(RULES)])
    assert result.exit_code == 0
    listed = json.loads(result.stdout)["rules"]
    assert listed[0].keys() == {"id", "severity", "paragraph", "title", "in_force", "file"}
    assert "assessment-timescale" in [r["id"] for r in listed]


def test_rules_show_of_an_unknown_id_suggests_the_nearest() -> None:
    result = CliRunner().invoke(main, ["rules", "show", "child-sen", "--rules", str(RULES)])
    assert result.exit_code == 2
    assert 'Did you mean "child-seen" or "child-seen-alone"?' in result.stderr


@pytest.mark.parametrize(
    "options",
    [
        ["--select", ""],
        ["--select", ","],
        ["--select", "supporting-adults-checked", "--ignore", "supporting-adults-checked"],
    ],
)
def test_options_that_leave_no_rule_to_check_are_an_input_error_never_a_pass(
    options: list[str],
) -> None:
    path = str(EXAMPLES / "fail-unchecked-carer.json")
    result = CliRunner().invoke(main, ["check", path, "--as-of", "2025-06-30", *options])
    assert result.exit_code == 2, result.output
