"""Running the scenarios of a features folder against a rules folder, in a fresh pytest
process, and reading back, scenario by scenario, what passed and why one failed.

features/conftest.py reads the two environment variables named here: the rules folder to
check against, and the file it writes one JSON line per scenario to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: The rules folder the scenarios run against, for features/conftest.py.
RULES_ENV = "CLOSURE_CHECK_RULES"
#: Where features/conftest.py writes one JSON line per scenario run, for `run_scenarios`.
REPORT_ENV = "CLOSURE_CHECK_SCENARIO_REPORT"


@dataclass(frozen=True)
class ScenarioOutcome:
    path: Path
    name: str
    line: int
    passed: bool
    step_line: int | None = None
    step: str = ""
    message: str = ""


@dataclass(frozen=True)
class ScenarioRun:
    outcomes: tuple[ScenarioOutcome, ...]
    exit_code: int  # pytest's
    output: str  # pytest's, shown when something went wrong outside the scenarios

    @property
    def failed(self) -> list[ScenarioOutcome]:
        return [o for o in self.outcomes if not o.passed]

    @property
    def broken(self) -> bool:
        """pytest could not run the scenarios (a collection error, a bad marker, no scenarios),
        or something failed that no scenario reported."""
        if self.exit_code not in (0, 1) or not self.outcomes:
            return True
        return self.exit_code == 1 and not self.failed


_INI = """[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
filterwarnings =
    error
"""


def run_scenarios(features_dir: Path, rules_dir: Path) -> ScenarioRun:
    """Run every scenario of `features_dir` under pytest-bdd, in a fresh process, against the
    rules in `rules_dir`; read back, scenario by scenario, what passed and why one failed."""
    features_dir = features_dir.resolve()
    with tempfile.TemporaryDirectory(prefix="closure-check-scenarios-") as tmp:
        ini = Path(tmp) / "pytest.ini"
        ini.write_text(_INI, encoding="utf-8")
        report = Path(tmp) / "scenarios.jsonl"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS",)}
        env[RULES_ENV] = str(rules_dir.resolve())
        env[REPORT_ENV] = str(report)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            str(features_dir),
            "-c",
            str(ini),
            "--rootdir",
            str(features_dir),
            "-q",
            "--no-header",
            "--tb=short",
            # Steps report failures themselves, so assertion rewriting (slow without a bytecode
            # cache) is not needed, nor are plugins that have nothing to do with scenarios.
            "--assert=plain",
            "-p",
            "no:hypothesispytest",
            "-p",
            "no:benchmark",
        ]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=features_dir, check=False
        )
        lines = report.read_text(encoding="utf-8").splitlines() if report.exists() else []
    outcomes: list[ScenarioOutcome] = []
    for line in lines:
        entry = json.loads(line)
        failure = entry.get("failure") or {}
        outcomes.append(
            ScenarioOutcome(
                Path(entry["feature"]),
                entry["scenario"],
                int(entry["line"]),
                bool(entry["passed"]),
                failure.get("line"),
                f"{failure.get('keyword', '')} {failure.get('text', '')}".strip(),
                failure.get("message", ""),
            )
        )
    outcomes.sort(key=lambda o: (str(o.path), o.line, o.name))
    return ScenarioRun(tuple(outcomes), proc.returncode, proc.stdout + proc.stderr)


def _shown(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def render_run(run: ScenarioRun, features_dir: Path, rules_dir: Path) -> str:
    """Which scenarios passed and, for each failure, the step and what the checker decided."""
    out = [f"Scenarios in {features_dir} run against the rules in {rules_dir}", ""]
    base = features_dir.resolve()
    current: Path | None = None
    for o in run.outcomes:
        if o.path != current:
            current = o.path
            out += ["", _shown(o.path, base)] if len(out) > 2 else [_shown(o.path, base)]
        out.append(f"  {'passed' if o.passed else 'FAILED'}  line {o.line:<4} {o.name}")
        if not o.passed:
            out.append(f"          at line {o.step_line}: {o.step}")
            for msg_line in o.message.splitlines():
                out.append(f"          {msg_line}")
    passed = sum(1 for o in run.outcomes if o.passed)
    failed = len(run.outcomes) - passed
    if failed:
        out += ["", "Failed:"]
        for o in run.failed:
            out.append(f"  {_shown(o.path, base)}:{o.line}  {o.name}")
    out += ["", f"{len(run.outcomes)} scenarios: {passed} passed, {failed} failed."]
    if run.broken:
        tail = "\n".join(run.output.strip().splitlines()[-40:])
        out += ["", "pytest could not run every scenario; what it said:", tail]
    return "\n".join(out) + "\n"
