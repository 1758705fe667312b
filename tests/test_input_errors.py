"""Input errors that say how to fix them (issue 15, item 3): the field path kept for scripts,
the path in words for people, the line of every schema problem in JSON and YAML, "did you mean"
for misspelt names and values, and hints for day-first dates, `yes` and future dates; and a
rule's title written from its data (item 9)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from closure_check.cli.main import main
from closure_check.errors import InputError, Problem, RuleFileError
from closure_check.record import record_from_text
from closure_check.record.where import Lines
from closure_check.rulefile import load_rules

from .conftest import AS_OF, EXAMPLES, RULES

SIBLING = EXAMPLES / "child-j-sibling-june-2008.json"


def sibling() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SIBLING.read_text(encoding="utf-8"))
    return data


def problems(data: dict[str, Any], fmt: str = "json") -> list[Problem]:
    text = json.dumps(data, indent=2) if fmt == "json" else _yaml(data)
    with pytest.raises(InputError) as caught:
        record_from_text(text, source="case." + fmt, as_of=AS_OF, fmt=fmt)  # type: ignore[arg-type]
    return caught.value.problems


def _yaml(data: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False)


def line_of_text(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_problem_deep_in_a_json_record_names_its_line_path_and_words() -> None:
    data = sibling()
    data["children"][1]["seen"][0]["how"] = "walk"
    (p,) = problems(data)
    text = json.dumps(data, indent=2)
    assert p.path == "children[1].seen[0].how"
    assert p.line == line_of_text(text, '"walk"')
    assert p.where == f"second child ({data['children'][1]['name']}), first visit (2008-06-17): how"


def test_a_missing_field_takes_the_line_of_the_group_that_lacks_it() -> None:
    data = sibling()
    del data["children"][0]["seen"][0]["how"]
    (p,) = problems(data)
    assert p.code == "missing"
    text = json.dumps(data, indent=2)
    assert p.line is not None
    assert text.splitlines()[p.line - 1].strip() == "{"
    assert text.splitlines()[p.line].strip().startswith('"on"')


def test_a_problem_in_a_yaml_record_names_the_line_of_its_field() -> None:
    data = sibling()
    data["people"][0]["supporting"] = "yes"
    (p,) = problems(data, "yaml")
    text = _yaml(data)
    assert p.path == "people[0].supporting"
    assert p.line == line_of_text(text, "supporting: 'yes'")
    assert p.hint == "write true (without quotes)"
    assert p.where.startswith("first adult (")


def test_a_misspelt_field_name_gets_the_field_it_was_meant_to_be() -> None:
    data = sibling()
    data["children"][0]["recomendations"] = data["children"][0].pop("recommendations")
    (p,) = problems(data)
    assert p.code == "unknown_field"
    assert p.hint == 'did you mean "recommendations"?'


def test_a_misspelt_enum_value_gets_the_value_it_was_meant_to_be() -> None:
    data = sibling()
    data["checks"][0]["status"] = "complete"
    (p,) = problems(data)
    assert p.hint == 'did you mean "completed"?'


def test_a_value_near_no_allowed_value_gets_no_suggestion() -> None:
    data = sibling()
    data["children"][0]["seen"][0]["how"] = "maybe"
    (p,) = problems(data)
    assert p.hint == ""


def test_a_uk_date_is_shown_as_the_format_writes_it() -> None:
    (p,) = problems({**sibling(), "started_on": "01/04/2008"})
    assert p.hint == "write it as 2008-04-01 (year, month, day)"


def test_a_date_after_the_as_of_date_says_how_to_check_as_of_a_later_date() -> None:
    (p,) = problems({**sibling(), "completed_on": "2031-01-02"})
    assert p.code == "date_future"
    assert "--as-of 2031-01-02" in p.hint


def test_a_record_on_one_line_has_no_line_numbers_but_its_field_paths() -> None:
    data = sibling()
    data["checks"][0]["status"] = "complete"
    with pytest.raises(InputError) as caught:
        record_from_text(json.dumps(data), source="case.json", as_of=AS_OF)
    assert [(p.line, p.path) for p in caught.value.problems] == [(None, "checks[0].status")]


def test_the_json_line_index_is_quick_for_a_large_record() -> None:
    import time

    big = {"items": [{"name": f"n{i}", "x": [i, {"y": 'a\\"b'}]} for i in range(20_000)]}
    text = json.dumps(big, indent=1)
    start = time.monotonic()
    lines = Lines(text, "json")
    assert lines.line("items[19999].x[1].y") == line_of_text(text, '"n19999"') + 4
    assert time.monotonic() - start < 5


def test_the_command_line_prints_the_words_and_the_hint_under_each_problem(tmp_path: Path) -> None:
    data = sibling()
    data["checks"][0]["status"] = "complete"
    file = tmp_path / "case.json"
    file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(file), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 2
    (said, count) = result.stderr.splitlines()
    line = line_of_text(file.read_text(encoding="utf-8"), '"complete"')
    assert said == (
        f'{file}: checks[0].status: "complete" is not one of: completed, pending, not_possible '
        f'(line {line}: first check (police): status). To put it right: did you mean "completed"?'
    )
    assert count == "closure-check: 1 problem found; nothing was checked."


# -- item 9: a rule's title follows its data ----------------------------------------------------


def _rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


def test_changing_a_threshold_in_a_rules_data_changes_its_title(tmp_path: Path) -> None:
    folder = _rules_copy(tmp_path)
    path = folder / "14-assessment-timescale.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("max_working_days: 45", "max_working_days: 35"),
        encoding="utf-8",
    )
    rule = load_rules(folder).get("assessment-timescale")
    assert rule is not None
    assert rule.rule.title == "The assessment concludes within 35 working days"
    assert "no more than 35 working days" in rule.rule.checks
    shown = CliRunner().invoke(
        main, ["rules", "show", "assessment-timescale", "--rules", str(folder)]
    )
    assert "within 35 working days" in shown.output
    assert "45 working days" not in shown.output.split("Source:")[0]


def test_a_number_of_the_data_written_out_in_the_title_is_refused(tmp_path: Path) -> None:
    folder = _rules_copy(tmp_path)
    path = folder / "14-assessment-timescale.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "within {{ data.max_working_days }} working days", "within 45 working days", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as caught:
        load_rules(folder)
    (p,) = caught.value.problems
    assert (p.path, p.code) == ("title", "data_in_text")
    assert "write {{ data.max_working_days }}" in p.message


def test_a_title_naming_data_the_rule_does_not_hold_is_refused(tmp_path: Path) -> None:
    folder = _rules_copy(tmp_path)
    path = folder / "14-assessment-timescale.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "{{ data.max_working_days }} working days", "{{ data.max_days }} working days", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as caught:
        load_rules(folder)
    assert [p.path for p in caught.value.problems] == ["title"]
    assert "cannot be written from the rule's data" in caught.value.problems[0].message


def test_the_audit_gives_the_line_of_each_problem_in_a_record_file_too(tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    source = Path(__file__).parent.parent / "examples" / "invalid" / "bad-reference.json"
    result = CliRunner().invoke(main, ["audit", str(source), "--json", str(out)])
    assert result.exit_code == 1, result.output
    (error,) = json.loads(out.read_text())["errors"]
    (problem,) = error["problems"]
    assert problem["path"] == "checks[2].subject"
    lines = source.read_text().splitlines()
    assert '"subject": "P3"' in lines[problem["line"] - 1]
