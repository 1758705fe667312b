"""The record format (record-format.md): what parses, and how every kind of bad input is told."""

from __future__ import annotations

import copy
import datetime
import json
import pathlib
import time
from typing import Any

import jsonschema
import pytest

from closure_check.errors import InputError, Problem
from closure_check.record import (
    RECORD_FORMAT,
    Record,
    load_record,
    parse_record,
    record_json_schema,
)
from closure_check.sources import decode_json, decode_yaml

AS_OF = datetime.date(2025, 3, 1)

#: The example of record-format.md, as it stands there.
EXAMPLE: dict[str, Any] = {
    "format": "closure-check/assessment/1",
    "id": "IA-2024-0193",
    "kind": "initial",
    "started_on": "2024-03-04",
    "completed_on": "2024-03-22",
    "worker": {"id": "SW-12", "name": "A. Worker", "team": "Assessment Team North"},
    "decision": {
        "on": "2024-03-22",
        "by": {"id": "TM-3", "name": "B. Manager", "role": "manager"},
        "conclusion": "Mother is coping with support from her sister; no current concerns.",
        "outstanding_information": "Health visitor records requested 2024-03-18, not yet received.",
        "missing_information_plan": "Team manager to chase the health visiting service by "
        "2024-03-29 and reopen if concerns arise.",
    },
    "children": [
        {
            "id": "C1",
            "name": "Amy",
            "date_of_birth": "2021-05-02",
            "seen": [{"on": "2024-03-06", "how": "in_person", "alone": False, "by": "SW-12"}],
            "outcome": "nfa",
            "recommendations": "Close to children's social care; mother to attend the "
            "children's centre stay-and-play group.",
        }
    ],
    "people": [
        {
            "id": "P1",
            "name": "Carla",
            "relationship": "mother",
            "parent_of": ["C1"],
            "considered": "Interviewed at home twice; parenting capacity assessed as good.",
        },
        {
            "id": "P2",
            "name": "Dev",
            "relationship": "father",
            "parent_of": ["C1"],
            "considered": "Lives separately; spoken to by phone, has contact every other weekend.",
        },
        {
            "id": "P3",
            "name": "Eve",
            "relationship": "relative",
            "supporting": True,
            "considered": "Mother's sister, provides childcare three days a week.",
        },
    ],
    "checks": [
        {
            "subject": "family",
            "source": "children_social_care",
            "status": "completed",
            "completed_on": "2024-03-05",
            "finding": "no_concerns",
        },
        {
            "subject": "P3",
            "source": "children_social_care",
            "status": "completed",
            "completed_on": "2024-03-05",
            "finding": "no_concerns",
        },
        {
            "subject": "P3",
            "source": "police",
            "status": "completed",
            "completed_on": "2024-03-12",
            "finding": "no_concerns",
        },
        {
            "subject": "family",
            "source": "health",
            "status": "pending",
            "requested_on": "2024-03-18",
        },
    ],
    "agencies": [
        {"name": "Health Visiting", "involvement": "ongoing", "consulted_on": "2024-03-18"}
    ],
    "discharges": [],
    "closure": {
        "on": "2024-03-22",
        "reason": "nfa",
        "notified": [{"agency": "Health Visiting", "on": "2024-03-22"}],
    },
}

EXAMPLE_YAML = """\
format: closure-check/assessment/1
id: IA-2024-0193
kind: initial
started_on: 2024-03-04
completed_on: 2024-03-22
worker: {id: SW-12, name: A. Worker}
decision:
  on: 2024-03-22
  by: {id: TM-3, name: B. Manager, role: manager}
children:
  - id: C1
    name: Amy
    seen:
      - on: 2024-03-06
        how: in_person
        alone: false
"""

DISCHARGE: dict[str, Any] = {
    "id": "AMH-77",
    "kind": "discharge",
    "started_on": "2024-05-01",
    "completed_on": "2024-05-20",
    "worker": {"id": "CPN-4"},
    "decision": {"on": "2024-05-20", "by": {"role": "manager"}},
    "children": [],
    "people": [{"id": "P1", "name": "Sam", "relationship": "parent"}],
    "discharges": [
        {
            "person": "P1",
            "service": "adult_mental_health",
            "on": "2024-05-20",
            "reason": "disengaged",
            "risk_to_children": {"assessed_on": "2024-05-18", "finding": "unknown"},
            "disclosure": {"decision": "full", "reasons": "Shared with the GP."},
        }
    ],
}


def example(**changes: Any) -> dict[str, Any]:
    """A deep copy of the spec's example with top-level fields replaced."""
    record = copy.deepcopy(EXAMPLE)
    record.update(changes)
    return record


def problems_of(data: object, as_of: datetime.date = AS_OF) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        parse_record(data, source="case.json", as_of=as_of)
    return caught.value.problems


def only_problem(data: object) -> Problem:
    problems = problems_of(data)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- what parses -----------------------------------------------------------------------------


def test_the_example_record_of_the_spec_parses() -> None:
    record = parse_record(EXAMPLE, source="case.json", as_of=AS_OF)
    assert record.format == RECORD_FORMAT
    assert record.kind == "initial"
    assert record.started_on == datetime.date(2024, 3, 4)
    assert record.children[0].seen[0].how == "in_person"
    assert record.children[0].seen[0].alone is False
    assert record.people[2].supporting is True
    assert record.people[0].supporting is False
    assert record.checks[3].completed_on is None
    assert record.closure is not None
    assert record.closure.notified[0].agency == "Health Visiting"
    assert record.decision.by.role == "manager"


def test_the_format_marker_may_be_left_out() -> None:
    data = example()
    del data["format"]
    assert parse_record(data, source="case.json", as_of=AS_OF).format == RECORD_FORMAT


def test_optional_fields_may_be_left_out() -> None:
    data = example()
    for name in ("people", "checks", "agencies", "discharges", "closure"):
        del data[name]
    data["worker"] = {"id": "SW-12"}
    data["decision"] = {"on": "2024-03-22", "by": {"role": "social_worker"}}
    data["children"] = [{"id": "C1", "name": "Amy"}]
    record = parse_record(data, source="case.json", as_of=AS_OF)
    assert record.people == [] and record.closure is None
    assert record.children[0].unborn is False and record.children[0].outcome is None


def test_a_discharge_record_may_list_no_children() -> None:
    record = parse_record(DISCHARGE, source="d.json", as_of=AS_OF)
    assert record.children == []
    assert record.discharges[0].risk_to_children is not None


def test_a_very_long_note_is_accepted() -> None:
    data = example()
    data["decision"]["conclusion"] = "word " * 200_000
    record = parse_record(data, source="case.json", as_of=AS_OF)
    assert len(record.decision.conclusion or "") == 1_000_000


def test_text_is_kept_as_given_even_when_blank() -> None:
    data = example()
    data["decision"]["conclusion"] = "   "
    assert parse_record(data, source="case.json", as_of=AS_OF).decision.conclusion == "   "


def test_x_fields_are_accepted_at_the_top_level_and_nested_and_kept_aside() -> None:
    data = example(x_case_system={"export": 3})
    data["children"][0]["x_colour"] = "blue"
    data["decision"]["by"]["x_grade"] = 7
    record = parse_record(data, source="case.json", as_of=AS_OF)
    assert record.model_extra == {"x_case_system": {"export": 3}}
    assert record.children[0].model_extra == {"x_colour": "blue"}
    assert record.decision.by.model_extra == {"x_grade": 7}


def test_a_record_serialises_its_dates_as_iso_text() -> None:
    record = parse_record(EXAMPLE, source="case.json", as_of=AS_OF)
    assert record.model_dump(mode="json")["started_on"] == "2024-03-04"


# --- shape, types and enums ------------------------------------------------------------------


def test_a_misspelt_field_is_an_input_error() -> None:
    data = example()
    data["people"][2]["suporting"] = True
    problem = only_problem(data)
    assert problem.path == "people[2].suporting"
    assert problem.message == (
        'unknown field "suporting" (fields not in the record format must start with x_)'
    )


def test_an_unknown_top_level_field_is_an_input_error() -> None:
    assert only_problem(example(colour="blue")).path == "colour"


def test_a_missing_required_field_is_named_by_its_path() -> None:
    data = example()
    del data["decision"]["by"]["role"]
    problem = only_problem(data)
    assert problem.path == "decision.by.role"
    assert problem.message == "missing: this field is required"


def test_a_worker_needs_an_id() -> None:
    data = example(worker={"name": "A. Worker"})
    assert only_problem(data).path == "worker.id"


def test_a_value_outside_an_enum_lists_the_allowed_values() -> None:
    data = example()
    data["children"][0]["seen"][0]["how"] = "maybe"
    problem = only_problem(data)
    assert problem.path == "children[0].seen[0].how"
    assert problem.message == '"maybe" is not one of: in_person, video, phone'


def test_an_enum_value_must_match_exactly() -> None:
    assert only_problem(example(kind="Initial")).path == "kind"


def test_another_format_version_is_an_input_error() -> None:
    problem = only_problem(example(format="closure-check/assessment/2"))
    assert problem.path == "format"
    assert RECORD_FORMAT in problem.message


def test_a_null_format_is_the_format_left_out_since_1_1() -> None:
    assert parse_record(example(format=None), source="case.json", as_of=AS_OF).format == (
        RECORD_FORMAT
    )


def test_an_impossible_date_is_an_input_error() -> None:
    data = example()
    data["children"][0]["seen"][0]["on"] = "2025-02-30"
    problem = only_problem(data)
    assert problem.path == "children[0].seen[0].on"
    assert problem.message == '"2025-02-30" is not a real date (use YYYY-MM-DD)'


@pytest.mark.parametrize("value", ["2024-03-04T10:00:00", "2024-3-4", "04/03/2024", "20240304"])
def test_a_date_not_written_yyyy_mm_dd_is_an_input_error(value: str) -> None:
    problem = only_problem(example(started_on=value))
    assert problem.path == "started_on"
    assert "is not a date in the form YYYY-MM-DD" in problem.message


def test_a_date_given_as_a_number_is_an_input_error() -> None:
    problem = only_problem(example(started_on=20240304))
    assert problem.path == "started_on"
    assert "the number 20240304" in problem.message


def test_a_boolean_written_as_text_is_an_input_error() -> None:
    data = example()
    data["people"][2]["supporting"] = "true"
    problem = only_problem(data)
    assert problem.path == "people[2].supporting"
    assert problem.message.startswith("must be true or false")


def test_a_boolean_written_as_a_number_is_an_input_error() -> None:
    data = example()
    data["children"][0]["seen"][0]["alone"] = 1
    assert only_problem(data).path == "children[0].seen[0].alone"


def test_a_number_is_not_accepted_as_an_id() -> None:
    data = example()
    data["worker"]["id"] = 12
    problem = only_problem(data)
    assert problem.path == "worker.id"
    assert problem.message == "must be text, not the number 12 (put it in quotes)"


def test_a_list_given_as_something_else_is_an_input_error() -> None:
    problem = only_problem(example(checks={"subject": "family"}))
    assert problem.path == "checks"
    assert problem.message.startswith("must be a list")


def test_a_record_that_is_not_a_group_of_fields_is_an_input_error() -> None:
    problem = only_problem([EXAMPLE])
    assert problem.path == ""
    assert "a record must be a group of fields" in problem.message


def test_null_for_a_list_or_a_yes_no_field_is_the_field_left_out_since_1_1() -> None:
    data = example(people=None, checks=None)
    data["children"][0]["unborn"] = None
    record = parse_record(data, source="case.json", as_of=AS_OF)
    assert record.people == [] and record.checks == [] and record.children[0].unborn is False


def test_null_is_accepted_where_absence_means_nothing_was_recorded() -> None:
    data = example(closure=None)
    data["children"][0]["outcome"] = None
    data["agencies"][0]["consulted_on"] = None
    record = parse_record(data, source="case.json", as_of=AS_OF)
    assert record.closure is None and record.children[0].outcome is None


# --- what depends on kind and status ---------------------------------------------------------


def without_children(**changes: Any) -> dict[str, Any]:
    """The example with its children and everything that points at people taken out."""
    data = example(people=[], **changes)
    data["checks"] = [check for check in data["checks"] if check["subject"] == "family"]
    return data


def test_an_assessment_with_no_children_is_an_input_error() -> None:
    problem = only_problem(without_children(children=[]))
    assert problem.path == "children"
    assert "at least one child" in problem.message


def test_an_assessment_without_a_children_field_is_an_input_error() -> None:
    data = without_children()
    del data["children"]
    problem = only_problem(data)
    assert (problem.path, problem.message) == ("children", "missing: this field is required")


def test_a_discharge_record_with_no_discharges_is_an_input_error() -> None:
    data = copy.deepcopy(DISCHARGE)
    data["discharges"] = []
    problem = only_problem(data)
    assert problem.path == "discharges"
    assert "at least one discharge" in problem.message


def test_a_completed_check_needs_its_completion_date() -> None:
    data = example()
    del data["checks"][2]["completed_on"]
    problem = only_problem(data)
    assert problem.path == "checks[2].completed_on"
    assert problem.message.startswith("missing")


def test_a_pending_check_needs_no_completion_date() -> None:
    parse_record(example(), source="case.json", as_of=AS_OF)  # checks[3] is pending


# --- references and identity -----------------------------------------------------------------


def test_a_check_about_someone_not_in_the_record_is_an_input_error() -> None:
    data = example()
    data["checks"][2]["subject"] = "P9"
    problem = only_problem(data)
    assert problem.path == "checks[2].subject"
    assert problem.message.startswith('"P9" is not a child or person in this record')


def test_parent_of_must_name_a_child() -> None:
    data = example()
    data["people"][0]["parent_of"] = ["C1", "P2"]
    problem = only_problem(data)
    assert problem.path == "people[0].parent_of[1]"
    assert '"P2" is not a child in this record' in problem.message


def test_lives_with_must_name_a_person() -> None:
    data = example()
    data["children"][0]["lives_with"] = [{"person": "P7", "since": "2023-01-01"}]
    problem = only_problem(data)
    assert problem.path == "children[0].lives_with[0].person"
    assert '"P7" is not a person' in problem.message


def test_a_discharge_must_name_a_person() -> None:
    data = copy.deepcopy(DISCHARGE)
    data["discharges"][0]["person"] = "P2"
    problem = only_problem(data)
    assert problem.path == "discharges[0].person"
    assert '"P2" is not a person' in problem.message


def test_ids_are_unique_across_children_and_people() -> None:
    data = example()
    data["people"][1]["id"] = "C1"
    del data["people"][1]["parent_of"]
    problem = only_problem(data)
    assert problem.path == "people[1].id"
    assert "already the id of children[0]" in problem.message


def test_family_cannot_be_an_id() -> None:
    data = example()
    data["people"][2]["id"] = "family"
    data["checks"] = data["checks"][:1]
    problem = only_problem(data)
    assert problem.path == "people[2].id"
    assert '"family" cannot be an id' in problem.message


def test_agency_names_are_unique() -> None:
    data = example()
    data["agencies"].append({"name": "Health Visiting", "involvement": "past"})
    problem = only_problem(data)
    assert problem.path == "agencies[1].name"
    assert "listed twice" in problem.message


def test_check_ids_are_unique_when_given() -> None:
    data = example()
    data["checks"][0]["id"] = "K1"
    data["checks"][3]["id"] = "K1"
    problem = only_problem(data)
    assert problem.path == "checks[3].id"
    assert "already the id of checks[0]" in problem.message


def test_a_visit_by_any_worker_id_is_accepted() -> None:
    data = example()
    data["children"][0]["seen"][0]["by"] = "AGENCY-WORKER-99"
    parse_record(data, source="case.json", as_of=AS_OF)


# --- dates and the as-of date ----------------------------------------------------------------


def test_a_date_after_the_as_of_date_is_an_input_error() -> None:
    data = example()
    data["closure"]["notified"][0]["on"] = "2025-03-02"
    problem = only_problem(data)
    assert problem.path == "closure.notified[0].on"
    assert problem.message == (
        "2025-03-02 is after the as-of date 2025-03-01: nothing can have been recorded in "
        "the future"
    )


def test_a_date_on_the_as_of_date_is_accepted() -> None:
    parse_record(EXAMPLE, source="case.json", as_of=datetime.date(2024, 3, 22))


# --- every problem at once -------------------------------------------------------------------


def test_every_problem_is_listed_at_once() -> None:
    data = example(kind="assessment")
    data["children"][0]["seen"][0]["on"] = "2024-02-30"
    data["people"][2]["suporting"] = True
    problems = problems_of(data)
    assert [p.path for p in problems] == [
        "kind",
        "children[0].seen[0].on",
        "people[2].suporting",
    ]
    assert all(p.source == "case.json" for p in problems)


def test_every_reference_problem_is_listed_at_once() -> None:
    data = example()
    data["checks"][0]["subject"] = "P8"
    data["checks"][1]["subject"] = "P9"
    data["people"][0]["parent_of"] = ["C2"]
    assert [p.path for p in problems_of(data)] == [
        "checks[0].subject",
        "checks[1].subject",
        "people[0].parent_of[0]",
    ]


def test_a_problem_reads_file_line_path_and_message() -> None:
    data = example()
    del data["id"]
    with pytest.raises(InputError) as caught:
        parse_record(data, source="batch.jsonl", as_of=AS_OF, line=12)
    assert str(caught.value) == "batch.jsonl:12: id: missing: this field is required"


# --- JSON ------------------------------------------------------------------------------------


def test_json_text_decodes_to_the_record() -> None:
    assert decode_json(json.dumps(EXAMPLE), source="case.json") == EXAMPLE


def test_a_json_object_with_the_same_key_twice_is_an_input_error() -> None:
    text = '{"id": "A",\n "children": [{"id": "C1", "name": "Amy", "name": "Bea"}],\n "id": "B"}'
    with pytest.raises(InputError) as caught:
        decode_json(text, source="case.json")
    assert [(p.path, p.line) for p in caught.value.problems] == [
        ("id", None),
        ("children[0].name", None),
    ]
    assert "given twice" in caught.value.problems[0].message


def test_bad_json_gives_the_line_and_column_in_plain_words() -> None:
    with pytest.raises(InputError) as caught:
        decode_json('{\n  "id": "A"\n  "kind": "s47"\n}', source="case.json")
    assert str(caught.value) == (
        "case.json:3: not valid JSON (column 3): a comma (,) or a closing bracket is missing"
    )


def test_bad_json_on_a_json_lines_line_gives_that_line() -> None:
    with pytest.raises(InputError) as caught:
        decode_json('{"id": "A",}', source="batch.jsonl", line=4)
    problem = caught.value.problems[0]
    assert (problem.source, problem.line) == ("batch.jsonl", 4)
    assert "column 12" in problem.message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_are_refused(constant: str) -> None:
    with pytest.raises(InputError, match="NaN and Infinity are not allowed"):
        decode_json(f'{{"x_score": {constant}}}', source="case.json")


def test_json_nested_very_deeply_is_refused_quickly() -> None:
    start = time.perf_counter()
    for text in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000):
        with pytest.raises(InputError, match="nested too deeply"):
            decode_json(text, source="case.json")
    assert time.perf_counter() - start < 5


def test_an_empty_json_file_is_an_input_error() -> None:
    with pytest.raises(InputError, match="is empty"):
        decode_json("  \n", source="case.json")


def test_a_number_with_thousands_of_digits_is_refused() -> None:
    with pytest.raises(InputError, match="more digits"):
        decode_json('{"x_n": ' + "9" * 5000 + "}", source="case.json")


def test_text_with_half_a_character_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        decode_json('{"id": "A\\ud800"}', source="case.json")
    assert caught.value.problems[0].path == "id"
    assert "broken character" in caught.value.problems[0].message


def test_escaped_characters_outside_the_basic_plane_are_accepted() -> None:
    assert decode_json('{"name": "\\ud83d\\ude00"}', source="case.json") == {"name": "😀"}


# --- YAML ------------------------------------------------------------------------------------


def test_a_yaml_record_parses_and_its_dates_stay_text_until_validated() -> None:
    data = decode_yaml(EXAMPLE_YAML, source="case.yaml")
    assert isinstance(data, dict)
    assert data["started_on"] == "2024-03-04"
    assert data["children"][0]["seen"][0]["on"] == "2024-03-06"  # `on` stays a field name
    assert data["children"][0]["seen"][0]["alone"] is False
    record = parse_record(data, source="case.yaml", as_of=AS_OF)
    assert record.started_on == datetime.date(2024, 3, 4)


def test_an_impossible_yaml_date_is_reported_like_a_json_one() -> None:
    data = decode_yaml(EXAMPLE_YAML.replace("2024-03-04", "2024-02-30"), source="case.yaml")
    problem = only_problem(data)
    assert (problem.path, problem.message) == (
        "started_on",
        '"2024-02-30" is not a real date (use YYYY-MM-DD)',
    )


def test_yaml_yes_is_not_a_boolean() -> None:
    data = decode_yaml(EXAMPLE_YAML.replace("alone: false", "alone: yes"), source="case.yaml")
    assert only_problem(data).path == "children[0].seen[0].alone"


def test_a_yaml_mapping_with_the_same_key_twice_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        decode_yaml("id: A\nkind: s47\nid: B\n", source="case.yaml")
    problem = caught.value.problems[0]
    assert problem.line == 3
    assert 'the field "id" is given twice' in problem.message


def test_a_yaml_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    start = time.perf_counter()
    with pytest.raises(InputError, match="aliases"):
        decode_yaml("\n".join(lines), source="bomb.yaml")
    assert time.perf_counter() - start < 2


def test_a_yaml_alias_that_contains_itself_is_refused() -> None:
    with pytest.raises(InputError, match="contains the alias itself"):
        decode_yaml("a: &x [*x]\n", source="case.yaml")


def test_a_few_yaml_aliases_are_accepted() -> None:
    data = decode_yaml("w: &w {id: SW-1}\nv: *w\n", source="case.yaml")
    assert data == {"w": {"id": "SW-1"}, "v": {"id": "SW-1"}}


def test_yaml_never_builds_python_objects() -> None:
    with pytest.raises(InputError, match="not valid YAML"):
        decode_yaml("a: !!python/object/apply:os.system ['true']\n", source="case.yaml")


def test_yaml_nan_is_refused() -> None:
    with pytest.raises(InputError, match="NaN and Infinity are not allowed"):
        decode_yaml("x_score: .nan\n", source="case.yaml")


def test_yaml_nested_very_deeply_is_refused() -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        decode_yaml("[" * 100_000 + "]" * 100_000, source="case.yaml")


def test_bad_yaml_gives_the_line() -> None:
    with pytest.raises(InputError) as caught:
        decode_yaml("id: A\nkind: [s47\n", source="case.yaml")
    assert caught.value.problems[0].line == 3
    assert "not valid YAML" in caught.value.problems[0].message


def test_a_yaml_field_name_must_be_text() -> None:
    with pytest.raises(InputError, match="a field name must be text"):
        decode_yaml("1: A\n", source="case.yaml")


# --- files -----------------------------------------------------------------------------------


def test_a_json_file_is_loaded(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    assert load_record(path, as_of=AS_OF).id == "IA-2024-0193"


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_a_yaml_file_is_loaded(tmp_path: pathlib.Path, suffix: str) -> None:
    path = tmp_path / f"case{suffix}"
    path.write_text(EXAMPLE_YAML, encoding="utf-8")
    assert load_record(path, as_of=AS_OF).kind == "initial"


def test_a_file_with_another_extension_is_read_as_json(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "case.txt"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    assert load_record(path, as_of=AS_OF).id == "IA-2024-0193"


def test_a_utf8_byte_order_mark_is_skipped(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(EXAMPLE).encode("utf-8"))
    assert load_record(path, as_of=AS_OF).id == "IA-2024-0193"


def test_a_file_that_is_not_utf8_is_refused_naming_the_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(json.dumps(EXAMPLE).replace("Amy", "Am\u00e9lie").encode("latin-1"))
    with pytest.raises(InputError) as caught:
        load_record(path, as_of=AS_OF)
    problem = caught.value.problems[0]
    assert problem.source == str(path)
    assert "is not UTF-8 text" in problem.message
    assert str(path) in str(caught.value)


def test_a_missing_file_is_refused_naming_the_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(InputError) as caught:
        load_record(path, as_of=AS_OF)
    assert caught.value.problems[0].source == str(path)
    assert "cannot be read" in caught.value.problems[0].message


def test_a_folder_is_not_a_record_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(InputError, match="it is a folder"):
        load_record(tmp_path, as_of=AS_OF)


def test_problems_in_a_loaded_file_name_the_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(example(started_on="2025-03-02")), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_record(path, as_of=AS_OF)
    assert str(caught.value).startswith(f"{path}: started_on: 2025-03-02 is after the as-of")


# --- the JSON Schema -------------------------------------------------------------------------


def schema_errors(data: object) -> list[str]:
    schema = record_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    return [error.message for error in validator.iter_errors(data)]


def test_the_schema_is_a_valid_json_schema_with_a_title() -> None:
    schema = record_json_schema()
    assert isinstance(schema, dict)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert RECORD_FORMAT in str(schema["title"])
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_spec_example_validates_against_the_schema() -> None:
    assert schema_errors(EXAMPLE) == []
    assert schema_errors(DISCHARGE) == []


def test_x_fields_validate_against_the_schema() -> None:
    data = example(x_top=1)
    data["children"][0]["x_nested"] = {"any": ["thing"]}
    assert schema_errors(data) == []


def test_the_schema_refuses_what_the_parser_refuses() -> None:
    data = example(children=[])
    data["people"][2]["suporting"] = True
    del data["checks"][0]["completed_on"]
    data["started_on"] = 20240304
    assert len(schema_errors(data)) == 4


def test_the_models_are_the_records_own_field_names() -> None:
    assert list(Record.model_fields) == [
        "format",
        "id",
        "kind",
        "started_on",
        "completed_on",
        "worker",
        "decision",
        "children",
        "people",
        "checks",
        "agencies",
        "discharges",
        "closure",
        "judgements",
    ]
