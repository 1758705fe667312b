"""Rules folders for the effective-dates tests (issue 13), made in a test's own folder from the
checkout's rules/: a dated change of one rule, and the draft `rules impact` is tried with."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import ROOT

RULE = "15-child-seen-alone.yaml"
NEW = "15-child-seen-alone.from-2024-03-22.yaml"
DATA = Path(__file__).parent / "data"


def copy_rules(folder: Path) -> Path:
    """A copy of the checkout's rules folder (its rule files and terms file only)."""
    shutil.copytree(ROOT / "rules", folder, ignore=shutil.ignore_patterns("__*"))
    return folder


def dated_rules(folder: Path, *, old: str = "{until: 2024-03-21}",
                new: str = "{from: 2024-03-22}") -> Path:  # fmt: skip
    """The rules, with child-seen-alone made a blocker from 2024-03-22: its old version in
    force until 2024-03-21 (`old`), its new one from 2024-03-22 (`new`)."""
    copy_rules(folder)
    text = (folder / RULE).read_text(encoding="utf-8")
    assert "severity: advisory" in text
    (folder / RULE).write_text(text + f"effective: {old}\n", encoding="utf-8")
    stricter = text.replace("severity: advisory", "severity: blocker")
    (folder / NEW).write_text(stricter + f"effective: {new}\n", encoding="utf-8")
    return folder


def impact_draft(folder: Path) -> Path:
    """The rules, with the draft of child-seen-alone in tests/data/impact (a blocker, asked of
    initial assessments too) in place of the rule."""
    copy_rules(folder)
    shutil.copy(DATA / "impact" / RULE, folder / RULE)
    return folder
