"""The rulebook (`rules book`, issue 13): every rule in force and every one of its examples
appears, in the web page and in Markdown, with what a manager reads; the examples as tables,
not JSON; a rule not in force on the date left out."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from closure_check.rulebook import html_book, markdown_book
from closure_check.rulefile import load_rules

from .conftest import RULES
from .dated import NEW, dated_rules

ON = date(2025, 6, 30)


def _html_text(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _md_text(page: str) -> str:
    return " ".join(page.replace("\\|", "|").split())


@pytest.mark.parametrize("form", ["html", "markdown"])
def test_every_rule_and_every_example_appears_in_the_rulebook(form: str) -> None:
    rules = load_rules(RULES)
    page = html_book(rules, ON) if form == "html" else markdown_book(rules, ON)
    text = _html_text(page) if form == "html" else _md_text(page)
    assert text.count("Contents") >= 1
    for lr in rules:
        r = lr.rule
        for words in (r.title, r.checks, r.why, r.source.quote, f"paragraph {r.source.paragraph}"):
            assert " ".join(words.split()) in text, (r.id, words)
        assert r.id in text
        for ex in r.examples:
            assert ex.name in text, (r.id, ex.name)
    assert "{" not in re.sub(r"<style>.*?</style>", "", page, flags=re.S)  # tables, not JSON


def test_each_rule_says_who_may_make_a_judgement_and_starts_a_page_in_print() -> None:
    rules = load_rules(RULES)
    page = html_book(rules, ON)
    assert page.count('<section class="rule"') == len(rules.rules) + 1  # and the example record
    assert "section.rule { break-before: page;" in page
    assert page.count('<p class="judgements">') == len(rules.rules)
    assert "Content-Security-Policy" in page and "<script" not in page


def test_an_example_is_a_table_of_what_its_record_holds() -> None:
    page = markdown_book(load_rules(RULES), ON)
    part = page.split("In a section 47 enquiry, each child is seen alone", 2)[2]
    assert "**a section 47 enquiry in which the child was seen alone**: the rule passes." in part
    assert "| children 1, seen 1, alone | yes |" in part
    assert "| kind | s47 |" in part


def test_the_rulebook_on_a_date_holds_the_versions_in_force_then(tmp_path: Path) -> None:
    rules = load_rules(dated_rules(tmp_path / "rules"))
    before, after = markdown_book(rules, date(2024, 3, 21)), markdown_book(rules, date(2024, 3, 22))
    assert "Version: 15-child-seen-alone.yaml, in force until 21 March 2024." in before
    assert f"Version: {NEW}, in force from 22 March 2024." in after
    assert before.count("## In a section 47 enquiry") == after.count("## In a section 47") == 1


def test_the_command_writes_both_forms(tmp_path: Path) -> None:
    html, md = tmp_path / "book.html", tmp_path / "book.md"
    done = subprocess.run(
        [sys.executable, "-m", "closure_check.cli", "rules", "book", "--on", "2025-06-30",
         "--html", str(html), "--markdown", str(md)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "The rules in force on 30 June 2025" in html.read_text("utf-8")
    assert md.read_text("utf-8").startswith("# The rulebook: the rules in force on 30 June 2025")
    nothing = subprocess.run([sys.executable, "-m", "closure_check.cli", "rules", "book"],
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert nothing.returncode == 2 and "--html FILE" in nothing.stderr
