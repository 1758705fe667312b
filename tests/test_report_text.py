"""The reports a worker acts on (issue 15, items 1 and 2): what is missing is named, failures come
first by child and adult, passes fit in a line, dates are written as people write them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from closure_check.explain import Day, date_words

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SIBLING = EXAMPLES / "child-j-sibling-june-2008.json"
CLEAN = EXAMPLES / "clean-pass.json"
AS_OF = "2025-06-30"
CLI = str(Path(sys.executable).parent / "closure-check")


def check(path: Path, *args: str) -> str:
    proc = subprocess.run(
        [CLI, "check", str(path), "--as-of", AS_OF, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def sibling() -> str:
    return check(SIBLING)


def test_the_sibling_report_names_each_outstanding_check_by_source_subject_status_and_date(
    sibling: str,
) -> None:
    line = next(x for x in sibling.splitlines() if "outstanding-information-stated" in x)
    said = "the check on the family with health services (pending, requested on 17 June 2008)"
    assert said in line
    assert "completed on 19 June 2008" in line


def test_each_unchecked_adult_is_named_with_the_child_they_live_with(sibling: str) -> None:
    for adult in ("RS", "TU"):
        assert (
            f"{adult} (family friend), who lives with J's sibling, was not checked with "
            "children's social care records or the police by 19 June 2008" in sibling
        )
    assert "supports or looks after the child" not in sibling


def test_failures_come_first_grouped_by_the_assessment_then_children_adults_and_agencies(
    sibling: str,
) -> None:
    lines = sibling.splitlines()
    headings = [x for x in lines if x and not x.startswith(" ")]
    assert headings[:2] == [
        "Assessment IA-2008-0613-CJ: FAIL",
        "Do not complete or close this assessment yet: 7 blocking rules failed.",
    ]
    assert headings[2:8] == [
        "The assessment", "J's sibling [C1]", "Child J [C2]", "RS [P3]", "TU [P4]",
        "Health Visiting (corporate caseload)",
    ]  # fmt: skip
    assert "Passes" not in lines and "Not applicable" not in lines


def test_each_failing_finding_is_one_sentence_and_no_sentence_is_said_twice(sibling: str) -> None:
    problems = [x[4:] for x in sibling.splitlines() if x.startswith("  - ")]
    assert len(problems) == 9  # one line per failing finding
    for p in problems:
        said = p.rsplit(" [", 1)[0]
        assert len(re.findall(r"\.(?:\s|$)", said)) == 1, said
    sentences = re.split(r"(?<=\.)\s+", " ".join(x.strip() for x in sibling.splitlines()))
    repeated = {s for s in sentences if sentences.count(s) > 1 and len(s) > 20}
    assert repeated == set()


def test_the_record_hash_and_rules_version_are_in_a_footer_not_the_header(sibling: str) -> None:
    lines = sibling.splitlines()
    assert lines[-1].startswith("Record file SHA-256: ")
    assert lines[-2].startswith("Checked as of 30 June 2025 with rules version ")  # AS_OF
    assert not any("SHA-256" in x or "rules version" in x for x in lines[:-2])


def test_a_clean_pass_is_short() -> None:
    text = check(CLEAN)
    lines = text.splitlines()
    assert len(lines) <= 7, text
    assert lines[:2] == ["Assessment IA-2025-0318: PASS", "Every blocking rule passes."]
    assert "8 rules pass and 7 do not apply" in text


def test_verbose_lists_the_passes_and_the_rules_that_do_not_apply() -> None:
    text = check(CLEAN, "--verbose")
    assert "\nPasses\n" in text and "\nNot applicable\n" in text
    assert "Ruby Mensah-Doherty was seen in person on 5 March 2025." in text
    assert len(text.splitlines()) > 20


def test_dates_are_in_words_in_text_and_html_and_iso_in_json(sibling: str) -> None:
    assert not re.search(r"\b2008-\d\d-\d\d\b", sibling)
    page = check(SIBLING, "--format", "html")
    assert "19 June 2008" in page and not re.search(r"\b2008-\d\d-\d\d\b", page)
    assert "Checked as of 30 June 2025 · rules version" in page  # the as-of date, too
    report = json.loads(check(SIBLING, "--format", "json"))
    assert report["as_of"] == AS_OF
    assert "19 June 2008" in json.dumps(report)  # the messages, in words


def test_a_rule_that_does_not_apply_says_so_without_a_double_negative() -> None:
    text = check(CLEAN, "--verbose")
    assert "was not decided" not in text
    line = next(x for x in text.splitlines() if "nfa-needs-all-checks" in x)
    assert "Neither a child's outcome nor the closure is a decision of no further action" in line


def test_the_html_report_puts_failures_first_grouped_and_passes_in_details() -> None:
    page = check(SIBLING, "--format", "html")
    assert page.index("What needs putting right") < page.index("<details>")
    groups = re.findall(r'<h3 id="subject-\d+">([^<]+)</h3>', page)
    assert groups[:3] == ["The assessment", "J&#39;s sibling [C1]", "Child J [C2]"]
    assert page.index("<footer>") > page.index("</main>")
    assert "http" not in page.split("<body>")[0].replace('name="viewport"', "")


def test_date_words_uses_the_way_people_write_dates_and_a_day_still_compares_as_a_date() -> None:
    assert date_words("2025-06-13") == "13 June 2025"
    assert date_words(date(2024, 3, 1)) == "1 March 2024"
    d = Day(2025, 6, 13)
    assert str(d) == "13 June 2025" and d < date(2025, 6, 14) and d.isoformat() == "2025-06-13"


def test_date_words_writes_every_date_as_babel_writes_it_in_british_english() -> None:
    """words.py writes the month names of babel's en_GB locale itself, rather than have babel
    parse "d MMMM y" for each date: every day of 1990-2040, and of years far from it."""
    from babel.dates import format_date

    days = [
        date(1990, 1, 1) + timedelta(days=n)
        for n in range((date(2041, 1, 1) - date(1990, 1, 1)).days)
    ]
    for year in (1, 9, 10, 99, 100, 999, 1000, 1752, 1900, 2100, 9999):
        first = date(year, 1, 1)
        days += [first + timedelta(days=n) for n in range(365)]
    for day in days:
        assert date_words(day) == format_date(day, "d MMMM y", locale="en_GB"), day
        assert (
            date_words(day.isoformat()) == date_words(day) == str(Day(day.year, day.month, day.day))
        )
