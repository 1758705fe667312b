"""The policy team's scenarios (`features/`): reading feature files, the feature lint, the
glossary of steps, the coverage of the review, and running the scenarios against a rules folder.

The step library (`features/conftest.py`) is read here as data: its sentences, their docstrings
and the words they accept. Nothing here decides what a rule means; the checker does, when the
scenarios run under pytest-bdd.

This module needs pytest-bdd (and the gherkin parser it brings), which the `policy` extras install;
the command line imports it only for the commands that use it.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, cast

from gherkin.errors import CompositeParserException, ParserException
from gherkin.parser import Parser
from gherkin.parser_types import GherkinDocument
from gherkin.parser_types import Scenario as GherkinScenario
from gherkin.parser_types import Step as GherkinStep
from gherkin.parser_types import Tag as GherkinTag
from pytest_bdd.parsers import StepParser
from pytest_bdd.steps import step_function_context_registry

from .errors import InputError, Problem
from .facts import FACTS, T
from .record import cannot_read
from .rulefile import RuleSet, read_yaml

__all__ = [
    "COVERAGE_FILE",
    "REPORT_ENV",
    "RULES_ENV",
    "Coverage",
    "Feature",
    "Scenario",
    "ScenarioRun",
    "Step",
    "StepDef",
    "StepLibrary",
    "coverage",
    "default_features_dir",
    "facts_table",
    "feature_files",
    "glossary",
    "lint",
    "load_feature",
    "load_step_library",
    "marker_lines",
    "paragraphs_of",
    "read_features",
    "render_coverage",
    "render_run",
    "rule_of_tag",
    "rule_tag",
    "run_scenarios",
]

#: The rules folder the scenarios run against, for features/conftest.py.
RULES_ENV = "CLOSURE_CHECK_RULES"
#: Where features/conftest.py writes one JSON line per scenario run, for `run_scenarios`.
REPORT_ENV = "CLOSURE_CHECK_SCENARIO_REPORT"
#: The list of review paragraphs, in the features folder (see `coverage`).
COVERAGE_FILE = "coverage.yaml"
STEP_LIBRARY = "conftest.py"
GLOSSARY_COMMAND = "closure-check scenarios --glossary > docs/steps.md"

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


def _where(path: Path | str, line: int | None, message: str) -> Problem:
    return Problem(str(path), line, "", message)


def _quote(words: Iterable[str]) -> str:
    return ", ".join(f'"{w}"' for w in words)


# ---------------------------------------------------------------------------------------------
# Feature files
# ---------------------------------------------------------------------------------------------

_KIND_OF = {"Context": "given", "Action": "when", "Outcome": "then"}
_KEYWORD_OF = {"given": "Given", "when": "When", "then": "Then"}


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


def _feature_text(path: Path) -> str | Problem:
    """A feature file's text, or why it cannot be read, in plain words."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        return cannot_read(str(path), e)
    except UnicodeDecodeError as e:
        return _where(
            path, None, f"is not UTF-8 text (byte 0x{e.object[e.start]:02x}): save it as UTF-8"
        )


def _parse(path: Path, text: str) -> tuple[GherkinDocument | None, list[Problem]]:
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
        plain = _stray_line_message(got.group(1)) or (
            f'Gherkin cannot read "{got.group(1)}" here: a step starts with Given, When, Then, '
            "And or But, and steps belong under a Scenario or a Background"
        )
    elif message.startswith("unexpected end of file"):
        plain = 'the file ends too early (is a Feature: line, a scenario or a closing """ missing?)'
    else:
        plain = f"Gherkin cannot read this: {message}"
    return _where(path, line, plain)


def _steps(steps: Sequence[GherkinStep], example: Mapping[str, str]) -> tuple[Step, ...]:
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


def _tag_names(tags: Iterable[GherkinTag]) -> list[str]:
    return [t["name"].lstrip("@") for t in tags]


def _examples(scenario: GherkinScenario) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for ex in scenario.get("examples", []):
        header = ex.get("tableHeader")
        if header is None:
            continue
        names = [c["value"] for c in header["cells"]]
        for row in ex.get("tableBody", []):
            rows.append(dict(zip(names, [c["value"] for c in row["cells"]], strict=False)))
    return rows


def _walk(doc: GherkinDocument) -> Iterable[tuple[GherkinScenario, list[str], list[GherkinStep]]]:
    """Each scenario with its feature's and Rule's tags and the background steps it runs."""
    feature = doc.get("feature")
    if feature is None:
        return
    ftags = _tag_names(feature["tags"])
    background: list[GherkinStep] = []
    for child in _children(feature):
        if "background" in child:
            background = list(child["background"]["steps"])
        elif "scenario" in child:
            yield cast(GherkinScenario, child["scenario"]), ftags, background
        elif "rule" in child:
            rule = child["rule"]
            rtags = ftags + _tag_names(rule["tags"])
            rule_background = list(background)
            for rchild in _children(rule):
                if "background" in rchild:
                    rule_background = background + list(rchild["background"]["steps"])
                elif "scenario" in rchild:
                    yield cast(GherkinScenario, rchild["scenario"]), rtags, rule_background


def _children(node: Any) -> list[dict[str, Any]]:
    """A feature's or rule's children: gherkin types them as bare envelopes."""
    return cast(list[dict[str, Any]], node["children"])


def load_feature(path: Path) -> Feature | None:
    """A feature file's scenarios, outlines expanded one per examples row; None when the file
    cannot be read as Gherkin (the lint says why)."""
    text = _feature_text(path)
    if isinstance(text, Problem):
        return None
    doc, problems = _parse(path, text)
    if doc is None or problems or doc.get("feature") is None:
        return None
    feature = doc["feature"]
    assert feature is not None
    scenarios: list[Scenario] = []
    for sc, inherited, background in _walk(doc):
        tags = tuple(dict.fromkeys(_tag_names(sc["tags"]) + inherited))
        for example in _examples(sc) or [{}]:
            name = _render(sc["name"], example)
            scenarios.append(
                Scenario(
                    path,
                    name,
                    sc["location"]["line"],
                    tags,
                    _steps(background, example),
                    _steps(sc["steps"], example),
                )
            )
    return Feature(path, feature["name"], feature["location"]["line"], tuple(scenarios))


def feature_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.feature") if p.is_file())


def read_features(folder: Path) -> list[Feature]:
    return [f for p in feature_files(folder) if (f := load_feature(p)) is not None]


def default_features_dir() -> Path:
    """`features/` in the current folder, else the features of the checkout this package runs
    from."""
    here = Path("features")
    if here.is_dir():
        return here
    checkout = Path(__file__).resolve().parents[2] / "features"
    if checkout.is_dir():
        return checkout
    raise InputError([_where("features", None, "no features folder here: give --features DIR")])


# ---------------------------------------------------------------------------------------------
# The step library
# ---------------------------------------------------------------------------------------------


class Vocabulary(Protocol):
    """The words one kind of placeholder accepts (features/conftest.py's `Vocab`)."""

    what: str

    def accepts(self, text: str) -> bool: ...

    def shown(self) -> list[str]: ...


@dataclass(frozen=True)
class StepDef:
    """One sentence of the step library."""

    kind: str  # given, when or then
    pattern: str  # as written in the library: "the child {child} was seen {how} on {date:Date}"
    parser: StepParser = field(compare=False, repr=False)
    function: Callable[..., Any] = field(compare=False, repr=False)
    line: int  # of the step function in the library
    section: str
    doc: str
    examples: tuple[str, ...]  # example lines from the docstring, tables included
    takes_table: bool
    asserts: str | None  # "pass", "fail" or "not_applicable" for steps asserting a status

    @property
    def shown(self) -> str:
        """The sentence with its placeholders as <words>."""
        return re.sub(
            r"\{(\w+)(?::[^}]*)?\}", lambda m: f"<{m.group(1).replace('_', ' ')}>", self.pattern
        )

    @property
    def placeholders(self) -> list[str]:
        return re.findall(r"\{(\w+)(?::[^}]*)?\}", self.pattern)

    def matches(self, text: str) -> bool:
        return bool(self.parser.is_matching(text))

    def arguments(self, text: str) -> dict[str, Any]:
        return dict(self.parser.parse_arguments(text) or {})

    @property
    def example_steps(self) -> list[tuple[str, str, list[str]]]:
        """(keyword, text, table lines) for each example step in the docstring."""
        out: list[tuple[str, str, list[str]]] = []
        for line in self.examples:
            m = re.match(r"(Given|When|Then|And|But) (.*)$", line.strip())
            if m:
                out.append((m.group(1), m.group(2), []))
            elif line.strip().startswith("|") and out:
                out[-1][2].append(line.strip())
        return out


@dataclass(frozen=True)
class StepLibrary:
    path: Path
    intro: str
    steps: tuple[StepDef, ...]
    placeholders: Mapping[str, str]
    vocabularies: Mapping[str, Vocabulary]

    def matching(self, kind: str, text: str) -> list[StepDef]:
        return [s for s in self.steps if s.kind == kind and s.matches(text)]

    def closest(self, text: str) -> StepDef | None:
        """The step whose example or pattern reads most like `text` (difflib)."""
        best: tuple[float, StepDef] | None = None
        for s in self.steps:
            candidates = [s.shown] + [t for _, t, _ in s.example_steps]
            score = max(
                difflib.SequenceMatcher(None, text.lower(), c.lower()).ratio() for c in candidates
            )
            if best is None or score > best[0]:
                best = (score, s)
        return best[1] if best is not None and best[0] >= 0.45 else None


_libraries: dict[tuple[str, int, int], StepLibrary] = {}


def load_step_library(features_dir: Path) -> StepLibrary:
    """Import a features folder's step library (its conftest.py) and describe its steps."""
    path = (features_dir / STEP_LIBRARY).resolve()
    if not path.is_file():
        raise InputError(
            [
                _where(
                    features_dir / STEP_LIBRARY,
                    None,
                    "missing: a features folder needs its step library (copy features/conftest.py)",
                )
            ]
        )
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key in _libraries:
        return _libraries[key]
    name = "closure_check_steps_" + hashlib.sha256(repr(key).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # a broken library is the user's input, not our crash
        del sys.modules[name]
        why = (
            "the step library cannot be loaded, so no step can be checked: ask whoever looks "
            f"after it to mend it (detail for them: {type(e).__name__}: {e})"
        )
        raise InputError([_where(path, None, why)]) from e
    library = _describe(module, path)
    _libraries[key] = library
    return library


def _sections(source: str) -> list[tuple[int, str]]:
    return [
        (i, m.group(1).strip())
        for i, line in enumerate(source.splitlines(), 1)
        if (m := re.match(r"^# == (.+?) ==\s*$", line))
    ]


def _describe(module: ModuleType, path: Path) -> StepLibrary:
    sections = _sections(path.read_text(encoding="utf-8"))
    steps: list[StepDef] = []
    for context in list(step_function_context_registry.values()):
        func = context.step_func
        if getattr(func, "__module__", None) != module.__name__ or context.type is None:
            continue
        line = func.__code__.co_firstlineno
        section = next((s for i, s in reversed(sections) if i < line), "")
        doc, examples = _split_doc(inspect.getdoc(func) or "")
        steps.append(
            StepDef(
                kind=context.type,
                pattern=context.parser.name,
                parser=context.parser,
                function=func,
                line=line,
                section=section,
                doc=doc,
                examples=examples,
                takes_table="datatable" in inspect.signature(func).parameters,
                asserts=getattr(func, "asserts", None),
            )
        )
    steps.sort(key=lambda s: s.line)
    placeholders = dict(getattr(module, "PLACEHOLDERS", {}))
    vocabularies = dict(getattr(module, "VOCABULARIES", {}))
    return StepLibrary(
        path, inspect.cleandoc(module.__doc__ or ""), tuple(steps), placeholders, vocabularies
    )


def _split_doc(doc: str) -> tuple[str, tuple[str, ...]]:
    head, sep, tail = doc.partition("\nExample:\n")
    if not sep:
        return doc.strip(), ()
    lines = tail.splitlines()
    indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return head.strip(), tuple(x[indent:].rstrip() for x in lines if x.strip())


# ---------------------------------------------------------------------------------------------
# The feature lint
# ---------------------------------------------------------------------------------------------

_STEP_KEYWORDS = ("Given", "When", "Then", "And", "But")
_BLOCK_KEYWORDS = (
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
_STEP_LINE = re.compile(rf"^({'|'.join(_STEP_KEYWORDS)}|\*) \S")
_BLOCK_LINE = re.compile(rf"^({'|'.join(_BLOCK_KEYWORDS)}):")


def _stray_line_message(text: str) -> str | None:
    """When a line that is not a step looks like one with a mistyped keyword, say which."""
    words = text.strip().split()
    if not words:
        return None
    first = words[0]
    bare = first.rstrip(":,.;")
    if bare in _STEP_KEYWORDS and first != bare:
        return (
            f'"{first}" is not a step keyword, so Gherkin would not run this line: write '
            f'"{bare} " followed by the step, with no "{first[len(bare) :]}"'
        )
    for kw in _STEP_KEYWORDS + _BLOCK_KEYWORDS:
        if bare.lower() == kw.lower() and bare != kw:
            return (
                f'"{bare}" is not a keyword Gherkin knows: keywords start with a capital '
                f'letter, so write "{kw}"'
            )
    close = difflib.get_close_matches(
        bare.capitalize(), _STEP_KEYWORDS + _BLOCK_KEYWORDS, n=1, cutoff=0.75
    )
    if close and bare != close[0]:
        return (
            f'"{bare}" looks like a misspelt "{close[0]}": Gherkin would read this line as '
            "description text and never run it"
        )
    return None


def _scan_lines(path: Path, text: str) -> list[Problem]:
    """Lines Gherkin would silently take as description: in a scenario or background, every
    line that is not a step, a table row, a docstring, a comment or a tag; in a feature's or
    rule's description, lines that look like a mistyped keyword."""
    problems: list[Problem] = []
    where = "top"
    fence: str | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if fence is not None:
            if line.startswith(fence):
                fence = None
            continue
        if not line or line.startswith(("#", "@", "|")):
            continue
        if line.startswith(('"""', "```")):
            fence = line[:3]
            continue
        block = _BLOCK_LINE.match(line)
        if block:
            kw = block.group(1)
            where = {
                "Feature": "description",
                "Rule": "description",
                "Examples": "examples",
                "Scenarios": "examples",
            }.get(kw, "scenario")
            continue
        if _STEP_LINE.match(line) and where not in ("top", "description"):
            where = "steps"  # in a description, Gherkin reads even "When ..." as plain text
            continue
        hint = _stray_line_message(line)
        if where in ("top", "description"):
            # Free text is allowed here; only a keyword with a colon or in the wrong case is
            # taken for a mistake ("Scenaro:", "Then:", "given the child ...").
            first = line.split()[0]
            if hint and (first.endswith(":") or first.capitalize() in _STEP_KEYWORDS):
                problems.append(_where(path, n, hint))
            continue
        problems.append(
            _where(
                path,
                n,
                hint
                or (
                    f'"{_clip(line)}" is not a step, a table row or a comment, so Gherkin '
                    "would read it as description text and never run it: start it with Given, "
                    "When, Then, And or But, or make it a comment with #"
                ),
            )
        )
    return problems


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def lint(features_dir: Path, rule_ids: Iterable[str], library: StepLibrary) -> list[Problem]:
    """Everything in a features folder that would make a scenario fail to say what it means:
    unreadable Gherkin and misspelt keywords, scenarios with no steps or nothing to check,
    undefined or ambiguous steps, words a step does not know, and tags or steps naming rules
    that do not exist. Each problem gives the file and line."""
    rules = list(rule_ids)
    files = feature_files(features_dir)
    if not files:
        return [_where(features_dir, None, "has no .feature files")]
    problems: set[Problem] = set()
    for path in files:
        text = _feature_text(path)
        if isinstance(text, Problem):
            problems.add(text)
            continue
        stray = _scan_lines(path, text)
        problems.update(stray)
        doc, parse_problems = _parse(path, text)
        flagged = {p.line for p in stray}
        problems.update(p for p in parse_problems if p.line not in flagged)
        if doc is not None:
            problems.update(_lint_document(path, doc, rules, library))
    return sorted(problems, key=lambda p: (p.source, p.line or 0, p.message))


def _lint_document(
    path: Path, doc: GherkinDocument, rules: list[str], library: StepLibrary
) -> list[Problem]:
    problems: list[Problem] = []
    feature = doc.get("feature")
    if feature is None:
        return [_where(path, 1, "has no Feature: line, so it holds no scenarios")]
    if feature["language"] != "en":
        problems.append(
            _where(path, 1, "write features in English: the step library's sentences are English")
        )
    tag_lines: list[tuple[str, int]] = [(t["name"], t["location"]["line"]) for t in feature["tags"]]
    for child in _children(feature):
        if "rule" in child:
            tag_lines += [(t["name"], t["location"]["line"]) for t in child["rule"]["tags"]]
    seen_names: dict[str, int] = {}
    linted_backgrounds: set[int] = set()
    count = 0
    for sc, inherited, background in _walk(doc):
        count += 1
        line = sc["location"]["line"]
        name = sc["name"]
        label = f'the scenario "{_clip(name)}"'
        if name in seen_names:
            problems.append(
                _where(
                    path,
                    line,
                    f'a second scenario is called "{name}" (the first '
                    f"is at line {seen_names[name]}): pytest-bdd would run only one "
                    "of them, so give each scenario its own name",
                )
            )
        seen_names.setdefault(name, line)
        tag_lines += [(t["name"], t["location"]["line"]) for t in sc["tags"]]
        for ex in sc.get("examples", []):
            tag_lines += [(t["name"], t["location"]["line"]) for t in ex["tags"]]
        tags = _tag_names(sc["tags"]) + inherited
        tagged = {r for t in tags if (r := rule_of_tag(t)) is not None}
        if not sc["steps"]:
            problems.append(_where(path, line, f"{label} has no steps"))
            continue
        examples = _examples(sc) or [{}]
        own = _steps(sc["steps"], examples[0])
        if sc["steps"][0]["keywordType"] == "Conjunction":
            problems.append(
                _where(
                    path,
                    own[0].line,
                    f"the first step of {label} starts with "
                    f'"{own[0].keyword}": start it with Given, When or Then',
                )
            )
        if not any(s.kind == "then" for s in own):
            problems.append(
                _where(
                    path,
                    line,
                    f"{label} has no Then step, so it checks nothing: "
                    'say what the checker must decide ("Then rule ... passes")',
                )
            )
        if not tagged:
            problems.append(
                _where(
                    path,
                    line,
                    f"{label} is not tagged with the rule it "
                    "specifies: put a tag such as @rule_child_seen on the line "
                    "above it",
                )
            )
        if background and id(background[0]) not in linted_backgrounds:
            linted_backgrounds.add(id(background[0]))
            problems += _lint_steps(path, _steps(background, {}), rules, library, None)
        for example in examples:
            problems += _lint_steps(path, _steps(sc["steps"], example), rules, library, tagged)
    if count == 0:
        problems.append(_where(path, feature["location"]["line"], "the feature has no scenarios"))
    for tag, line in tag_lines:
        problems += _lint_tag(path, tag, line, rules)
    return problems


def _lint_tag(path: Path, tag: str, line: int, rules: list[str]) -> list[Problem]:
    rule = rule_of_tag(tag)
    if rule is None:
        return [
            _where(
                path,
                line,
                f'"{tag}" is not a rule tag: tag each scenario with the rule '
                "it specifies, @rule_ followed by the rule id with _ for - (for example "
                "@rule_child_seen)",
            )
        ]
    if rule not in rules:
        close = difflib.get_close_matches(rule, rules, n=1, cutoff=0.6)
        hint = f" (did you mean @{rule_tag(close[0])}?)" if close else ""
        return [
            _where(
                path,
                line,
                f'the tag {tag} names a rule "{rule}" that is not in the rules folder{hint}',
            )
        ]
    return []


def _lint_steps(
    path: Path,
    steps: Sequence[Step],
    rules: list[str],
    library: StepLibrary,
    tagged: set[str] | None,
) -> list[Problem]:
    problems: list[Problem] = []
    for step in steps:
        found = library.matching(step.kind, step.text)
        if not found:
            problems.append(_where(path, step.line, _undefined(step, library)))
            continue
        if len(found) > 1:
            problems.append(
                _where(
                    path,
                    step.line,
                    "this sentence matches more than one step ("
                    + "; ".join(f'"{s.shown}"' for s in found)
                    + "): reword it, or ask for the step library to be fixed",
                )
            )
            continue
        sd = found[0]
        args = sd.arguments(step.text)
        rule = args.get("rule")
        if isinstance(rule, str):
            if rule not in rules:
                close = difflib.get_close_matches(rule, rules, n=1, cutoff=0.6)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                problems.append(
                    _where(path, step.line, f'there is no rule "{rule}" in the rules folder{hint}')
                )
            elif tagged is not None and rule not in tagged:
                problems.append(
                    _where(
                        path,
                        step.line,
                        f"this step names rule {rule}, but the "
                        f"scenario is not tagged @{rule_tag(rule)}",
                    )
                )
        for name, value in args.items():
            vocab = library.vocabularies.get(name)
            if vocab is not None and isinstance(value, str) and not vocab.accepts(value):
                problems.append(
                    _where(
                        path,
                        step.line,
                        f'"{value}" is not {vocab.what}: write one of {_quote(vocab.shown())}',
                    )
                )
        if step.table is not None and not sd.takes_table:
            problems.append(
                _where(
                    path,
                    step.line,
                    "this step takes no table, so the table under it would be ignored",
                )
            )
        if step.table is None and sd.takes_table:
            problems.append(_where(path, step.line, "this step needs a table under it"))
        if step.docstring is not None:
            problems.append(
                _where(
                    path,
                    step.line,
                    'no step takes a """ block of text, so the '
                    "one under this step would be ignored",
                )
            )
    return problems


def _undefined(step: Step, library: StepLibrary) -> str:
    others = [
        k for k in ("given", "when", "then") if k != step.kind and library.matching(k, step.text)
    ]
    if others:
        kw = _KEYWORD_OF[others[0]]
        return (
            f'"{_clip(step.text)}" is a {kw} step, but here it follows '
            f"{_KEYWORD_OF[step.kind]}: put it under {kw}"
        )
    closest = library.closest(step.text)
    message = f'no step in the step library reads "{_clip(step.text, 80)}"'
    if closest is None:
        return message + " (see docs/steps.md for the steps there are)"
    example = next((t for _, t, _ in closest.example_steps), "")
    hint = f'did you mean "{closest.shown}"'
    if example:
        hint += f', as in "{example}"'
    return f"{message}: {hint}?"


# ---------------------------------------------------------------------------------------------
# The glossary
# ---------------------------------------------------------------------------------------------


def glossary(library: StepLibrary) -> str:
    """docs/steps.md: every step of the library, section by section, with its docstring and
    example, then the words each placeholder accepts."""
    out = [
        "# The steps scenarios can use",
        "",
        f"<!-- Generated from features/{STEP_LIBRARY} by `{GLOSSARY_COMMAND}`. Do not edit: "
        "a test fails when this file is out of date. -->",
        "",
        library.intro,
        "",
    ]
    by_function: dict[int, list[StepDef]] = {}
    for s in library.steps:
        by_function.setdefault(id(s.function), []).append(s)
    section = None
    for group in by_function.values():
        first = group[0]
        if first.section != section:
            section = first.section
            out += [f"## {section or _KEYWORD_OF[first.kind]}", ""]
        for s in group:
            out.append(f"### `{_KEYWORD_OF[s.kind]} {s.shown}`")
        out += ["", first.doc, ""]
        if first.examples:
            out += ["```gherkin", *first.examples, "```", ""]
    used = sorted({p for s in library.steps for p in s.placeholders})
    out += ["## What the placeholders stand for", ""]
    for name in used:
        desc = library.placeholders.get(name, "")
        out.append(f"- `<{name.replace('_', ' ')}>`: {desc}")
    out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Coverage of the review
# ---------------------------------------------------------------------------------------------

_PARAGRAPH = re.compile(r"^\d+(\.\d+)+$")


def paragraphs_of(source: str) -> list[str]:
    """The review paragraphs a rule's `source.paragraph` names ("6.10.2, 6.10.3")."""
    return [p for p in re.split(r"[,\s]+", source) if _PARAGRAPH.match(p)]


@dataclass(frozen=True)
class ScenarioRef:
    path: Path
    line: int
    name: str


@dataclass
class RuleCoverage:
    rule_id: str
    title: str
    severity: str
    source: str
    passing: list[ScenarioRef] = field(default_factory=list)
    failing: list[ScenarioRef] = field(default_factory=list)
    not_applicable: list[ScenarioRef] = field(default_factory=list)


@dataclass(frozen=True)
class ParagraphRow:
    paragraph: str
    concerns: str
    rules: tuple[str, ...]
    not_checkable: str | None


@dataclass
class Coverage:
    paragraphs: list[ParagraphRow]
    rules: dict[str, RuleCoverage]
    problems: list[str]

    @property
    def complete(self) -> bool:
        return not self.problems


def _read_coverage_file(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputError(
            [
                _where(
                    path,
                    None,
                    "missing: it lists the review's paragraphs on "
                    "assessment, closure and discharge",
                )
            ]
        )
    data, _ = read_yaml(path)  # as rule files are read: safely, each field once, with lines
    items = data.get("paragraphs") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputError([_where(path, None, "needs a list called paragraphs")])
    problems: list[Problem] = []
    out: list[dict[str, str]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("paragraph"), str):
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"paragraphs[{i}]",
                    'each entry needs a paragraph, written in quotes ("6.4.2")',
                )
            )
            continue
        unknown = set(item) - {"paragraph", "concerns", "not_checkable"}
        if unknown:
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"paragraphs[{i}]",
                    "unknown field " + _quote(sorted(unknown)) + " (the fields are paragraph, "
                    "concerns and not_checkable)",
                )
            )
        out.append({k: str(v) for k, v in item.items() if v is not None})
    if problems:
        raise InputError(problems)
    return out


def coverage(rules: RuleSet, features_dir: Path, library: StepLibrary) -> Coverage:
    """Each paragraph listed in the coverage file -> the rules whose source names it -> the
    scenarios that show each rule passing, failing and not applying (counted from the Then
    steps that name the rule). Problems: a rule without a passing or a failing scenario, a
    paragraph no rule encodes that is not marked as not checkable (or one marked that a rule
    does encode)."""
    listed = _read_coverage_file(features_dir / COVERAGE_FILE)
    per_rule = {
        lr.rule.id: RuleCoverage(
            lr.rule.id, lr.rule.title, lr.rule.severity, lr.rule.source.paragraph
        )
        for lr in rules
    }
    for feature in read_features(features_dir):
        for sc in feature.scenarios:
            ref = ScenarioRef(sc.path, sc.line, sc.name)
            for step in sc.all_steps:
                if step.kind != "then":
                    continue
                found = library.matching("then", step.text)
                if len(found) != 1 or found[0].asserts is None:
                    continue
                rule = found[0].arguments(step.text).get("rule")
                if not isinstance(rule, str) or rule not in per_rule:
                    continue
                rc = per_rule[rule]
                bucket = {"pass": rc.passing, "fail": rc.failing}.get(
                    found[0].asserts, rc.not_applicable
                )
                if ref not in bucket:
                    bucket.append(ref)
    encoded: dict[str, list[str]] = {}
    for lr in rules:
        for p in paragraphs_of(lr.rule.source.paragraph):
            encoded.setdefault(p, []).append(lr.rule.id)
    problems: list[str] = []
    rows: list[ParagraphRow] = []
    seen: set[str] = set()
    for item in listed:
        p = item["paragraph"]
        seen.add(p)
        mark = item.get("not_checkable")
        by = tuple(encoded.get(p, []))
        rows.append(ParagraphRow(p, item.get("concerns", ""), by, mark))
        if not by and not mark:
            problems.append(
                f"paragraph {p} is encoded by no rule and is not marked not_checkable "
                f"(with the reason) in {COVERAGE_FILE}"
            )
        if by and mark:
            problems.append(
                f"paragraph {p} is marked not_checkable, but rule {', '.join(by)} "
                "encodes it: remove the mark"
            )
    for p in sorted(set(encoded) - seen, key=_paragraph_key):
        rows.append(ParagraphRow(p, "(not listed in the coverage file)", tuple(encoded[p]), None))
    rows.sort(key=lambda r: _paragraph_key(r.paragraph))
    for rc in per_rule.values():
        missing = [w for w, refs in (("passing", rc.passing), ("failing", rc.failing)) if not refs]
        if missing:
            problems.append(f"rule {rc.rule_id} has no {' and no '.join(missing)} scenario")
    return Coverage(rows, per_rule, problems)


def _paragraph_key(p: str) -> tuple[int, ...]:
    return tuple(int(x) for x in p.split("."))


def render_coverage(cov: Coverage) -> str:
    out = [
        "Paragraphs of the review on assessment, closure and discharge -> rules -> scenarios",
        "",
    ]
    width = max((len(r) for r in cov.rules), default=10)

    def counts(rc: RuleCoverage) -> str:
        return (
            f"{len(rc.passing):>3} passing  {len(rc.failing):>3} failing  "
            f"{len(rc.not_applicable):>3} not applicable"
        )

    for row in cov.paragraphs:
        out.append(f"{row.paragraph:<8} {row.concerns}")
        for r in row.rules:
            out.append(f"         {r:<{width}}  {counts(cov.rules[r])}")
        if not row.rules and row.not_checkable:
            text = "not checkable from a record: " + " ".join(row.not_checkable.split())
            out += textwrap.wrap(text, 96, initial_indent=" " * 9, subsequent_indent=" " * 11)
        elif not row.rules:
            out.append("         NOT ENCODED BY ANY RULE, and not marked as not checkable")
    other = [rc for rc in cov.rules.values() if not paragraphs_of(rc.source)]
    if other:
        out += ["", "Rules from other sources"]
        for rc in other:
            out.append(f"         {rc.rule_id:<{width}}  {counts(rc)}  ({rc.source})")
    mapped = sum(1 for r in cov.paragraphs if r.rules)
    marked = sum(1 for r in cov.paragraphs if not r.rules and r.not_checkable)
    out += [
        "",
        f"{len(cov.paragraphs)} paragraphs: {mapped} encoded by rules, {marked} not "
        f"checkable from a record. {len(cov.rules)} rules.",
    ]
    if cov.problems:
        out += ["", "Gaps:"] + [f"  - {p}" for p in cov.problems]
    else:
        out.append(
            "Every rule has a passing and a failing scenario, and every paragraph is "
            "encoded or marked."
        )
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Running the scenarios against a rules folder
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# docs/rule-format.md: the facts a rule can test, from facts.FACTS
# ---------------------------------------------------------------------------------------------


def facts_table() -> str:
    """The table of every fact kind and field a rule file may name, generated from FACTS."""
    out = ["| fact | field | type | meaning |", "|---|---|---|---|"]
    for kind, fields in FACTS.items():
        for name, spec in fields.items():
            kind_words = {
                T.BOOL: "yes/no",
                T.TEXT: "text",
                T.DATE: "date",
                T.OPT_DATE: "date, may be missing",
                T.INT: "number",
                T.ENUM: "one of",
                T.REF: "reference",
            }[spec.type]
            if spec.type is T.ENUM:
                kind_words += " " + ", ".join(f"`{v}`" for v in spec.values)
            elif spec.type is T.REF:
                kind_words += f" (to a {spec.ref})"
            meaning = spec.doc.replace("|", "\\|")
            out.append(f"| `{kind}` | `{name}` | {kind_words} | {meaning} |")
    return "\n".join(out) + "\n"
