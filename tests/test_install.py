"""A plain `pip install .` into a fresh virtual environment works from any directory: the
installed package finds its bundled rules and templates."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import EXAMPLES, ROOT

EXPECTED = yaml.safe_load((Path(__file__).parent / "examples_expected.yaml").read_text())


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """closure-check installed (not editable) into a new virtual environment."""
    env = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(env)
    subprocess.run(
        [env / "bin" / "python", "-m", "pip", "install", "-q", "--no-warn-script-location", ROOT],
        check=True,
        capture_output=True,
    )
    return env / "bin" / "closure-check"


def _run(exe: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_installed_command_checks_examples_from_an_unrelated_directory(
    installed: Path, tmp_path: Path
) -> None:
    as_of = ("--as-of", EXPECTED["as_of"])
    clean = _run(installed, "check", str(EXAMPLES / "clean-pass.json"), *as_of, cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert "PASS" in clean.stdout
    failing = _run(
        installed, "check", str(EXAMPLES / "fail-unchecked-carer.json"), *as_of, cwd=tmp_path
    )
    assert failing.returncode == 1, failing.stderr
    invalid = _run(
        installed, "check", str(EXAMPLES / "invalid" / "bad-reference.json"), *as_of, cwd=tmp_path
    )
    assert invalid.returncode == 2
    assert "checks[2].subject" in invalid.stderr
    assert "Traceback" not in invalid.stderr
    html = _run(
        installed,
        "check",
        str(EXAMPLES / "clean-pass.json"),
        "--format",
        "html",
        *as_of,
        cwd=tmp_path,
    )
    assert html.returncode == 0 and html.stdout.startswith("<!doctype html>")
    listed = _run(installed, "rules", "list", cwd=tmp_path)
    assert listed.returncode == 0 and "child-seen" in listed.stdout


def test_the_installed_command_writes_the_pages_that_share_templates(
    installed: Path, tmp_path: Path
) -> None:
    """The exception report and the rulebook are made with templates/_parts.html, and the
    exception report shows each failing record's report with templates/_report_body.html."""
    audit = tmp_path / "audit.html"
    done = _run(installed, "audit", str(EXAMPLES), "--as-of", EXPECTED["as_of"],
                "--html", str(audit), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    page = audit.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'class="record-report"' in page
    book = tmp_path / "book.html"
    done = _run(installed, "rules", "book", "--html", str(book), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert book.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_every_valid_example_validates_against_the_printed_schema(
    installed: Path, tmp_path: Path
) -> None:
    printed = _run(installed, "schema", cwd=tmp_path)
    assert printed.returncode == 0
    schema = json.loads(printed.stdout)
    validator = jsonschema.Draft202012Validator(schema)
    for entry in EXPECTED["examples"].values():
        if entry["verdict"] == "invalid":
            continue
        path = EXAMPLES / entry["file"]
        if "line" in entry:
            data = json.loads(path.read_text(encoding="utf-8").splitlines()[entry["line"] - 1])
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlDatesAsText)
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (entry["file"], errors)


class _YamlDatesAsText(yaml.SafeLoader):
    """YAML as closure-check reads it: dates stay text, only true/false are booleans."""


_YamlDatesAsText.yaml_implicit_resolvers = {
    k: [
        (t, rx) for t, rx in v if t not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlDatesAsText.add_implicit_resolver(
    "tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|false)$"), list("tf")
)

assert sys.version_info >= (3, 11)
