"""Reading feature files: their scenarios and steps as Gherkin gives them (outlines expanded one
per examples row), the rule tags, and what the gherkin parser cannot read, in plain words.

The lint (`lint.py`) walks the same parsed documents, so the walking is shared from here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from gherkin.errors import CompositeParserException, ParserException
from gherkin.parser import Parser
from gherkin.parser_types import GherkinDocument
from gherkin.parser_types import Scenario as GherkinScenario
from gherkin.parser_types import Step as GherkinStep
from gherkin.parser_types import Tag as GherkinTag

from ..errors import InputError, Problem
from ..sources.files import cannot_read, utf8_problem
from ._text import problem_at

TAG_PREFIX = "rule_"


def rule_tag(rule_id: str) -> str:
    """The tag (and pytest marker) of a rule: `child-seen` is tagged `@rule_child_seen`.
    Rule ids have no underscores, so the tag gives the id back."""
    return TAG_PREFIX + rule_id.replace("-", "_")


def rule_of_tag(tag: str) -> str | None:
    tag = tag.lstrip("@")
    if not tag.startswith(TAG_PREFIX) or len(tag) == len(TAG_PREFIX):
        return None
    return tag[len(TAG_PREFIX) :].replace("_", "-")


def marker_lines(rule_ids: Iterable[str]) -> list[str]:
    """The `markers =` lines that register a marker for each rule (pytest --strict-markers)."""
    return [f"{rule_tag(r)}: scenarios that specify rule {r}" for r in rule_ids]


# ---------------------------------------------------------------------------------------------
# Gherkin's keywords, and lines that look like a mistyped one
# ---------------------------------------------------------------------------------------------

_KIND_OF = {"Context": "given", "Action": "when", "Outcome": "then"}
KEYWORD_OF = {"given": "Given", "when": "When", "then": "Then"}

STEP_KEYWORDS = ("Given", "When", "Then", "And", "But")
BLOCK_KEYWORDS = (
    "Feature",
    "Rule",
    "Background",
    "Scenario Outline",
    "Scenario Template",
    "Scenario",
    "Example",
    "Examples",
    "Scenarios",
)


def _keyword_meant(first: str) -> tuple[str, str] | None:
    """The keyword a mistyped first word stands for, and how it is mistyped: "colon" (a step
    keyword with punctuation), "case" or "spelling"; None when it is not a mistyped keyword."""
    bare = first.rstrip(":,.;")
    if bare in STEP_KEYWORDS and first != bare:
        return bare, "colon"
    for kw in STEP_KEYWORDS + BLOCK_KEYWORDS:
        if bare.lower() == kw.lower() and bare != kw:
            return kw, "case"
    close = difflib.get_close_matches(
        bare.capitalize(), STEP_KEYWORDS + BLOCK_KEYWORDS, n=1, cutoff=0.75
    )
    if close and bare != close[0]:
        return close[0], "spelling"
    return None


def stray_line_message(text: str) -> str | None:
    """When a line that is not a step looks like one with a mistyped keyword, say which."""
    words = text.strip().split()
    if not words:
        return None
    first = words[0]
    bare = first.rstrip(":,.;")
    meant = _keyword_meant(first)
    if meant is None:
        return None
    kw, how = meant
    if how == "colon":
        return (
            f'"{first}" is not a step keyword, so Gherkin would not run this line: write '
            f'"{bare} " followed by the step, with no "{first[len(bare) :]}"'
        )
    if how == "case":
        return (
            f'"{bare}" is not a keyword Gherkin knows: keywords start with a capital '
            f'letter, so write "{kw}"'
        )
    return (
        f'"{bare}" looks like a misspelt "{kw}": Gherkin would read this line as '
        "description text and never run it"
    )


def mended_line(raw: str) -> str:
    """A line with a mistyped keyword as it was meant ("Scenaro: x" -> "Scenario: x", "Then:
    x" -> "Then x"), so that the lint can read the rest of the file as it would be once the
    line is put right; any other line that is not Gherkin becomes a comment."""
    indent = raw[: len(raw) - len(raw.lstrip())]
    words = raw.strip().split(maxsplit=1)
    meant = _keyword_meant(words[0]) if words else None
    if meant is None:
        return f"{indent}# {raw.strip()}"
    kw, _ = meant
    rest = words[1] if len(words) > 1 else ""
    if kw in BLOCK_KEYWORDS:
        return f"{indent}{kw}: {rest.lstrip(':').strip()}".rstrip()
    return f"{indent}{kw} {rest}".rstrip()


# ---------------------------------------------------------------------------------------------
# Feature files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step as written in a feature file (an outline's step as one example row gives it)."""

    keyword: str  # as written: Given, When, Then, And, But, *
    kind: str  # given, when or then: And and But take the kind of the step before them
    text: str
    line: int
    table: tuple[tuple[str, ...], ...] | None = None
    docstring: str | None = None


@dataclass(frozen=True)
class Scenario:
    """One scenario (for an outline, one row of its examples)."""

    path: Path
    name: str
    line: int
    tags: tuple[str, ...]  # its own, its Rule's and its feature's, without "@"
    background: tuple[Step, ...]
    steps: tuple[Step, ...]

    @property
    def all_steps(self) -> tuple[Step, ...]:
        return self.background + self.steps


@dataclass(frozen=True)
class Feature:
    path: Path
    name: str
    line: int
    scenarios: tuple[Scenario, ...]


def feature_text(path: Path) -> str | Problem:
    """A feature file's text, or why it cannot be read, in plain words."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        return cannot_read(str(path), e)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return utf8_problem(raw, e, str(path))
    # Newlines as a file read as text has them: gherkin splits lines on "\n" only.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_gherkin(path: Path, text: str) -> tuple[GherkinDocument | None, list[Problem]]:
    """The gherkin parser's reading of a file's text; what it cannot read, in plain words."""
    try:
        return Parser().parse(text), []
    except CompositeParserException as e:
        return None, [_parser_problem(path, err) for err in e.errors]
    except ParserException as e:
        return None, [_parser_problem(path, e)]


def _parser_problem(path: Path, err: ParserException) -> Problem:
    line = err.location.get("line")
    message = str(err.args[0]) if err.args else str(err)
    message = re.sub(r"^\(\d+:\d+\):\s*", "", message)
    got = re.search(r"got '(.*)'$", message)
    if "inconsistent cell count" in message:
        plain = "the rows of this table do not all have the same number of cells"
    elif got:
        plain = stray_line_message(got.group(1)) or (
            f'Gherkin cannot read "{got.group(1)}" here: a step starts with Given, When, Then, '
            "And or But, and steps belong under a Scenario or a Background"
        )
    elif message.startswith("unexpected end of file"):
        plain = 'the file ends too early (is a Feature: line, a scenario or a closing """ missing?)'
    else:
        plain = f"Gherkin cannot read this: {message}"
    return problem_at(path, line, plain)


def steps_of(steps: Sequence[GherkinStep], example: Mapping[str, str]) -> tuple[Step, ...]:
    """Gherkin's steps as `Step`s, an outline's <placeholders> filled from one example row."""
    out: list[Step] = []
    kind = "given"
    for s in steps:
        kind = _KIND_OF.get(s["keywordType"], kind)
        table = None
        if "dataTable" in s:
            table = tuple(
                tuple(_render(c["value"], example) for c in row["cells"])
                for row in s["dataTable"]["rows"]
            )
        doc = s["docString"]["content"] if "docString" in s else None
        out.append(
            Step(
                s["keyword"].strip(),
                kind,
                _render(s["text"], example),
                s["location"]["line"],
                table,
                doc,
            )
        )
    return tuple(out)


def _render(text: str, example: Mapping[str, str]) -> str:
    return re.sub(r"<(.+?)>", lambda m: example.get(m.group(1), m.group(0)), text)


def tag_names(tags: Iterable[GherkinTag]) -> list[str]:
    return [t["name"].lstrip("@") for t in tags]


def example_rows(scenario: GherkinScenario) -> list[dict[str, str]]:
    """An outline's examples, one dict a row (none for a plain scenario)."""
    rows: list[dict[str, str]] = []
    for ex in scenario.get("examples", []):
        header = ex.get("tableHeader")
        if header is None:
            continue
        names = [c["value"] for c in header["cells"]]
        for row in ex.get("tableBody", []):
            rows.append(dict(zip(names, [c["value"] for c in row["cells"]], strict=False)))
    return rows


def walk(doc: GherkinDocument) -> Iterable[tuple[GherkinScenario, list[str], list[GherkinStep]]]:
    """Each scenario with its feature's and Rule's tags and the background steps it runs."""
    feature = doc.get("feature")
    if feature is None:
        return
    ftags = tag_names(feature["tags"])
    background: list[GherkinStep] = []
    for child in children(feature):
        if "background" in child:
            background = list(child["background"]["steps"])
        elif "scenario" in child:
            yield cast(GherkinScenario, child["scenario"]), ftags, background
        elif "rule" in child:
            rule = child["rule"]
            rtags = ftags + tag_names(rule["tags"])
            rule_background = list(background)
            for rchild in children(rule):
                if "background" in rchild:
                    rule_background = background + list(rchild["background"]["steps"])
                elif "scenario" in rchild:
                    yield cast(GherkinScenario, rchild["scenario"]), rtags, rule_background


def children(node: Any) -> list[dict[str, Any]]:
    """A feature's or rule's children: gherkin types them as bare envelopes."""
    return cast(list[dict[str, Any]], node["children"])


def load_feature(path: Path) -> Feature | None:
    """A feature file's scenarios, outlines expanded one per examples row; None when the file
    cannot be read as Gherkin (the lint says why)."""
    text = feature_text(path)
    if isinstance(text, Problem):
        return None
    doc, problems = parse_gherkin(path, text)
    if doc is None or problems or doc.get("feature") is None:
        return None
    feature = doc["feature"]
    assert feature is not None
    scenarios: list[Scenario] = []
    for sc, inherited, background in walk(doc):
        tags = tuple(dict.fromkeys(tag_names(sc["tags"]) + inherited))
        for example in example_rows(sc) or [{}]:
            name = _render(sc["name"], example)
            scenarios.append(
                Scenario(
                    path,
                    name,
                    sc["location"]["line"],
                    tags,
                    steps_of(background, example),
                    steps_of(sc["steps"], example),
                )
            )
    return Feature(path, feature["name"], feature["location"]["line"], tuple(scenarios))


def feature_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.feature") if p.is_file())


def read_features(folder: Path) -> list[Feature]:
    return [f for p in feature_files(folder) if (f := load_feature(p)) is not None]


def default_features_dir() -> Path:
    """`features/` in the current folder, else the features of the checkout this package runs
    from (this file is src/closure_check/policy/features.py in a checkout)."""
    here = Path("features")
    if here.is_dir():
        return here
    checkout = Path(__file__).resolve().parents[3] / "features"
    if checkout.is_dir():
        return checkout
    raise InputError([problem_at("features", None, "no features folder here: give --features DIR")])
