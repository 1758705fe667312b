"""The documentation in docs/ says what the code does, in the project's own words: the parts
generated from the record's models and the rule files are up to date (a test fails when they
are not), the hand-written report format names every field and endpoint there is, and nothing
in README.md or docs/ points outside the repository."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from closure_check import docsgen
from closure_check.cli import main
from closure_check.record.model import Record
from closure_check.rulefile import load_rules

from .conftest import AS_OF, EXAMPLES, ROOT
from .dated import dated_rules

DOCS = ROOT / "docs"


def test_the_generated_parts_of_docs_are_up_to_date() -> None:
    rules = load_rules()
    if os.environ.get("CLOSURE_CHECK_UPDATE_DOCS") == "1":
        docsgen.write_docs(DOCS, rules)
    stale = [p.name for p in docsgen.stale_docs(DOCS, rules)]
    assert stale == [], f"{stale} out of date: run `{docsgen.DOCS_COMMAND}`"


def test_every_field_of_every_part_of_the_record_is_in_record_format_md() -> None:
    text = (DOCS / "record-format.md").read_text(encoding="utf-8")
    models: list[Any] = [Record]
    seen: set[str] = set()
    while models:
        model = models.pop()
        if model.__name__ in seen:
            continue
        seen.add(model.__name__)
        heading = "Record (the top level)" if model is Record else model.__name__
        section = text.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
        for name, field in model.model_fields.items():
            assert f"| `{field.alias or name}` |" in section, (model.__name__, name)
            models += list(docsgen._inner_models(field.annotation))
    assert {"Child", "Person", "Check", "Judgement", "Closure"} <= seen


def test_every_enumeration_value_of_the_record_is_in_record_format_md() -> None:
    schema = json.dumps(Record.model_json_schema())
    text = (DOCS / "record-format.md").read_text(encoding="utf-8")
    for values in re.findall(r'"enum": \[([^\]]*)\]', schema):
        for value in json.loads(f"[{values}]"):
            assert f"`{value}`" in text, value


def test_every_rule_is_in_rules_md_with_its_severity_paragraph_and_title() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    for lr in load_rules().rules:
        r = lr.rule
        row = next(line for line in text.splitlines() if line.startswith(f"| [`{r.id}`]"))
        assert f"| {r.severity} |" in row and r.source.paragraph in row and r.title in row
        assert f"### `{r.id}`: {r.title}" in text
        assert " ".join(r.checks.split()) in text


def test_the_terms_data_of_rules_md_is_the_terms_file() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    terms = load_rules().terms_file
    for placeholder in terms.placeholders:
        assert f"`{placeholder}`" in text


def test_the_catalogue_of_a_dated_folder_gives_each_version_s_period_in_words(
    tmp_path: Path,
) -> None:
    text = docsgen.rule_catalogue(load_rules(dated_rules(tmp_path / "rules")))
    assert "- **In force**: until 21 March 2024\n" in text
    assert "- **In force**: from 22 March 2024\n" in text
    periods = [line for line in text.splitlines() if line.startswith("- **In force**")]
    assert len(periods) == 2 and not any(re.search(r"\d{4}-\d\d", p) for p in periods)


def _copy_docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(DOCS, folder)
    return folder


def test_the_docs_command_says_a_doc_is_out_of_date_and_exits_1(tmp_path: Path) -> None:
    folder = _copy_docs(tmp_path)
    path = folder / "rules.md"
    path.write_text(path.read_text(encoding="utf-8").replace("| blocker |", "| advisory |", 1))
    result = CliRunner().invoke(main, ["docs", str(folder)])
    assert result.exit_code == 1, result.output
    assert f"{path}: out of date: run `closure-check docs --write docs/`" in result.output
    assert "record-format.md" not in result.output


def test_the_docs_command_with_write_rewrites_what_is_out_of_date(tmp_path: Path) -> None:
    folder = _copy_docs(tmp_path)
    path = folder / "record-format.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("| `kind` |", "| `type` |"), encoding="utf-8")
    result = CliRunner().invoke(main, ["docs", "--write", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output == f"rewrote {path}\n"
    assert path.read_text(encoding="utf-8") == original
    result = CliRunner().invoke(main, ["docs", str(folder)])
    assert result.exit_code == 0
    assert "The generated documentation is up to date." in result.output


def test_a_doc_without_its_generated_part_is_bad_input(tmp_path: Path) -> None:
    folder = _copy_docs(tmp_path)
    path = folder / "rules.md"
    path.write_text(re.sub(r"<!-- end generated: catalogue -->", "", path.read_text()))
    result = CliRunner().invoke(main, ["docs", str(folder)])
    assert result.exit_code == 2
    assert f'{path}: has no generated part "catalogue"' in result.output


@pytest.mark.parametrize("name", ["README.md", *sorted(p.name for p in DOCS.glob("*.md"))])
def test_the_documentation_refers_to_nothing_outside_the_repository(name: str) -> None:
    path = ROOT / name if name == "README.md" else DOCS / name
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\.\./|shared/(spec|source|research)", text), name


def test_every_doc_the_readme_names_exists() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"docs/[\w-]+\.md", text))
    assert {"docs/record-format.md", "docs/rules.md", "docs/report-format.md"} <= named
    for doc in named:
        assert (ROOT / doc).is_file(), doc


def _keys(data: Any) -> set[str]:
    """Every key of a JSON document, at any depth."""
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


def test_report_format_md_names_every_field_of_a_report_and_of_the_audit(tmp_path: Path) -> None:
    text = (DOCS / "report-format.md").read_text(encoding="utf-8")
    as_of = ["--as-of", AS_OF.isoformat()]
    runner = CliRunner()
    keys: set[str] = set()
    for example in sorted(EXAMPLES.glob("*.json")):
        result = runner.invoke(main, ["check", str(example), "--format", "json", *as_of])
        if result.exit_code in (0, 1):
            keys |= _keys(json.loads(result.output))
    out = tmp_path / "audit.json"
    runner.invoke(main, ["audit", str(EXAMPLES), "--json", str(out), *as_of])
    audit = json.loads(out.read_text(encoding="utf-8"))
    keys |= _keys({k: v for k, v in audit.items() if k != "reports"}) - _keys(audit["reports"])
    missing = sorted(k for k in keys if f"`{k}`" not in text)
    assert missing == [], f"docs/report-format.md does not name {missing}"


def test_report_format_md_names_every_endpoint_of_the_service() -> None:
    from closure_check.service.app import create_app
    from closure_check.service.settings import Settings

    def plain(text: str) -> str:
        return re.sub(r"\{\w+\}", "{}", text)

    text = plain((DOCS / "report-format.md").read_text(encoding="utf-8"))
    app = create_app(Settings())
    # FastAPI's one route of its own: /docs is the service's (named in the table), and there is
    # neither /redoc nor an OAuth2 redirect page.
    fastapis_own = {app.openapi_url}
    assert app.docs_url is None and app.redoc_url is None
    checked = 0
    for route in app.routes:
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if path is None or methods is None or path in fastapis_own:
            continue
        for method in sorted(methods - {"HEAD"}):
            checked += 1
            assert f"`{method} {plain(path)}`" in text, (method, path)
    assert checked >= 7
