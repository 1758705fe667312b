"""The feature lint: everything in a features folder that would make a scenario fail to say
what it means, each with its file and line, before any scenario runs."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from gherkin.parser_types import GherkinDocument

from ..errors import Problem
from ._text import clip, problem_at, quote
from .features import (
    BLOCK_KEYWORDS,
    KEYWORD_OF,
    STEP_KEYWORDS,
    Step,
    children,
    example_rows,
    feature_files,
    feature_text,
    mended_line,
    parse_gherkin,
    rule_of_tag,
    rule_tag,
    steps_of,
    stray_line_message,
    tag_names,
    walk,
)
from .people import unintroduced
from .steps import StepLibrary

_STEP_LINE = re.compile(rf"^({'|'.join(STEP_KEYWORDS)}|\*) \S")
_BLOCK_LINE = re.compile(rf"^({'|'.join(BLOCK_KEYWORDS)}):")


def _scan_lines(path: Path, text: str) -> tuple[list[Problem], str]:
    """Lines Gherkin would silently take as description: in a scenario or background, every
    line that is not a step, a table row, a docstring, a comment or a tag; in a feature's or
    rule's description, lines that look like a mistyped keyword. With them, the text as it
    would be once each such line is put right (see `mended_line`), so that one mistake does
    not hide the others."""
    problems: list[Problem] = []
    lines = text.split("\n")
    where = "top"
    fence: str | None = None
    for n, raw in enumerate(lines, 1):
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
        hint = None
        if not (_BLOCK_LINE.match(line) or _STEP_LINE.match(line)):
            hint = stray_line_message(line)
            first = line.split()[0]
            if where in ("top", "description") and not (
                hint and (first.endswith(":") or first.capitalize() in STEP_KEYWORDS)
            ):
                # Free text is allowed here; only a keyword with a colon or in the wrong case
                # is taken for a mistake ("Scenaro:", "Then:", "given the child ...").
                continue
            problems.append(problem_at(path, n, hint or _not_a_step(line)))
            mended = mended_line(raw)
            if _STEP_LINE.match(mended.strip()) and where in ("top", "description"):
                mended = f"# {line}"  # a step cannot stand here even once it is spelt right
            lines[n - 1] = mended
            line = mended.strip()
        block = _BLOCK_LINE.match(line)
        if block:
            where = {
                "Feature": "description",
                "Rule": "description",
                "Examples": "examples",
                "Scenarios": "examples",
            }.get(block.group(1), "scenario")
        elif _STEP_LINE.match(line) and where not in ("top", "description"):
            where = "steps"  # in a description, Gherkin reads even "When ..." as plain text
    return problems, "\n".join(lines)


def _not_a_step(line: str) -> str:
    return (
        f'"{clip(line)}" is not a step, a table row or a comment, so Gherkin would read it as '
        "description text and never run it: start it with Given, When, Then, And or But, or "
        "make it a comment with #"
    )


def lint(features_dir: Path, rule_ids: Iterable[str], library: StepLibrary) -> list[Problem]:
    """Everything in a features folder that would make a scenario fail to say what it means:
    unreadable Gherkin and misspelt keywords, scenarios with no steps or nothing to check,
    undefined or ambiguous steps, words a step does not know, tags or steps naming rules that
    do not exist, and steps naming somebody the scenario never introduced (people.py). Each
    problem gives the file and line, once; a line found wrong is read as it was meant, so that
    the rest of the file is still linted."""
    rules = list(rule_ids)
    files = feature_files(features_dir)
    if not files:
        return [problem_at(features_dir, None, "has no .feature files")]
    problems: set[Problem] = set()
    for path in files:
        text = feature_text(path)
        if isinstance(text, Problem):
            problems.add(text)
            continue
        # Each line found wrong is reported once, then read as it was meant, so that the
        # rest of the file is still linted in the same run.
        stray, mended = _scan_lines(path, text)
        problems.update(stray)
        flagged = {p.line for p in stray}
        doc, parse_problems = parse_gherkin(path, mended)
        problems.update(p for p in parse_problems if p.line not in flagged)
        if doc is not None:
            found = _lint_document(path, doc, rules, library)
            problems.update(p for p in found if p.line not in flagged)
    return sorted(problems, key=lambda p: (p.source, p.line or 0, p.message))


def _lint_document(
    path: Path, doc: GherkinDocument, rules: list[str], library: StepLibrary
) -> list[Problem]:
    problems: list[Problem] = []
    feature = doc.get("feature")
    if feature is None:
        return [problem_at(path, 1, "has no Feature: line, so it holds no scenarios")]
    if feature["language"] != "en":
        problems.append(
            problem_at(
                path, 1, "write features in English: the step library's sentences are English"
            )
        )
    tag_lines: list[tuple[str, int]] = [(t["name"], t["location"]["line"]) for t in feature["tags"]]
    for child in children(feature):
        if "rule" in child:
            tag_lines += [(t["name"], t["location"]["line"]) for t in child["rule"]["tags"]]
    seen_names: dict[str, int] = {}
    linted_backgrounds: set[int] = set()
    count = 0
    for sc, inherited, background in walk(doc):
        count += 1
        line = sc["location"]["line"]
        name = sc["name"]
        label = f'the scenario "{clip(name)}"'
        if name in seen_names:
            problems.append(
                problem_at(
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
        tags = tag_names(sc["tags"]) + inherited
        tagged = {r for t in tags if (r := rule_of_tag(t)) is not None}
        if not sc["steps"]:
            problems.append(problem_at(path, line, f"{label} has no steps"))
            continue
        examples = example_rows(sc) or [{}]
        own = steps_of(sc["steps"], examples[0])
        if sc["steps"][0]["keywordType"] == "Conjunction":
            problems.append(
                problem_at(
                    path,
                    own[0].line,
                    f"the first step of {label} starts with "
                    f'"{own[0].keyword}": start it with Given, When or Then',
                )
            )
        if not any(s.kind == "then" for s in own):
            problems.append(
                problem_at(
                    path,
                    line,
                    f"{label} has no Then step, so it checks nothing: "
                    'say what the checker must decide ("Then rule ... passes")',
                )
            )
        if not tagged:
            problems.append(
                problem_at(
                    path,
                    line,
                    f"{label} is not tagged with the rule it "
                    "specifies: put a tag such as @rule_child_seen on the line "
                    "above it",
                )
            )
        if background and id(background[0]) not in linted_backgrounds:
            linted_backgrounds.add(id(background[0]))
            problems += _lint_steps(path, steps_of(background, {}), rules, library, None)
        for example in examples:
            found = _lint_steps(path, steps_of(sc["steps"], example), rules, library, tagged)
            problems += found
            # Who the scenario names: each line reported once, whatever else is wrong with it.
            wrong = {p.line for p in problems}
            everything = steps_of(background, example) + steps_of(sc["steps"], example)
            problems += [
                p for p in unintroduced(str(path), everything, library) if p.line not in wrong
            ]
    if count == 0:
        problems.append(
            problem_at(path, feature["location"]["line"], "the feature has no scenarios")
        )
    for tag, line in tag_lines:
        problems += _lint_tag(path, tag, line, rules)
    return problems


def _lint_tag(path: Path, tag: str, line: int, rules: list[str]) -> list[Problem]:
    rule = rule_of_tag(tag)
    if rule is None:
        return [
            problem_at(
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
            problem_at(
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
            problems.append(problem_at(path, step.line, _undefined(step, library)))
            continue
        if len(found) > 1:
            problems.append(
                problem_at(
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
                    problem_at(
                        path, step.line, f'there is no rule "{rule}" in the rules folder{hint}'
                    )
                )
            elif tagged is not None and rule not in tagged:
                problems.append(
                    problem_at(
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
                    problem_at(
                        path,
                        step.line,
                        f'"{value}" is not {vocab.what}: write one of {quote(vocab.shown())}',
                    )
                )
        if step.table is not None and not sd.takes_table:
            problems.append(
                problem_at(
                    path,
                    step.line,
                    "this step takes no table, so the table under it would be ignored",
                )
            )
        if step.table is None and sd.takes_table:
            problems.append(problem_at(path, step.line, "this step needs a table under it"))
        if step.docstring is not None:
            problems.append(
                problem_at(
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
        kw = KEYWORD_OF[others[0]]
        return (
            f'"{clip(step.text)}" is a {kw} step, but here it follows '
            f"{KEYWORD_OF[step.kind]}: put it under {kw}"
        )
    closest = library.closest(step.text)
    message = f'no step in the step library reads "{clip(step.text, 80)}"'
    if closest is None:
        return message + " (see docs/steps.md for the steps there are)"
    example = next((t for _, t, _ in closest.example_steps), "")
    hint = f'did you mean "{closest.shown}"'
    if example:
        hint += f', as in "{example}"'
    return f"{message}: {hint}?"
