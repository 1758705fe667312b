"""`closure-check rules list` and `rules show ID`: the rule catalogue, read from the rule files
alone (the rules engine is not started to list or explain them). With effective dates, both
take `--on DATE` (default today) and say which version of each rule is in force then.
`rules impact` and `rules book` live in modules of their own (impact.py, book.py), added to
the group in main.py."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .common import ExitStatus, IsoDate, rules_option, user_errors

on_option = click.option(
    "--on",
    "on",
    type=IsoDate(),
    default=None,
    help="Say which version of each rule is in force on this date (default: today).",
)


@click.group()
def rules() -> None:
    """The rule catalogue: list the rules, or explain one."""


@rules.command("list")
@rules_option
@on_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: a list of {id, severity, paragraph, title, in_force, file} for scripts.",
)
@user_errors
def rules_list(rules_dir: Path | None, on: date | None, fmt: str = "text") -> None:
    """List every rule: id, severity, review paragraph and title (and, for rules with
    effective dates, the version in force on the date)."""
    from ..rulefile import load_rules
    from ..rulefile.effective import in_force, is_dated, period, versions
    from ..words import date_words

    loaded = load_rules(rules_dir)
    day = on or date.today()
    dated = is_dated(loaded)
    chosen = in_force(loaded, day)
    every = versions(loaded)
    if fmt == "json":
        import json

        listed = [
            {
                "id": rule_id,
                "severity": (chosen[rule_id] or vs[-1]).rule.severity,
                "paragraph": (chosen[rule_id] or vs[-1]).rule.source.paragraph,
                "title": (chosen[rule_id] or vs[-1]).rule.title,
                "in_force": chosen[rule_id] is not None,
                "file": (chosen[rule_id] or vs[-1]).path.name,
            }
            for rule_id, vs in every.items()
        ]
        click.echo(json.dumps({"on": day.isoformat(), "rules": listed}, indent=2))
        return
    width = max(len(rule_id) for rule_id in every)
    for rule_id, vs in every.items():
        lr = chosen[rule_id]
        r = (lr or vs[-1]).rule
        line = f"{r.id:<{width}}  {r.severity:<8}  {r.source.paragraph:<14}  {r.title}"
        if dated:
            line += (
                f"  [not in force on {date_words(day)}]"
                if lr is None
                else f"  [{lr.path.name}, in force {period(lr)}]"
            )
        click.echo(line)


@rules.command("show")
@click.argument("rule_id")
@rules_option
@on_option
@user_errors
def rules_show(rule_id: str, rules_dir: Path | None, on: date | None) -> None:
    """Explain one rule: what it checks, why, its source quoted, and its examples (the version
    in force on the date, when the rule has several)."""
    from ..render import render
    from ..rulefile import load_rules
    from ..rulefile.effective import in_force, is_dated, period, versions
    from ..words import date_words

    loaded = load_rules(rules_dir)
    every = versions(loaded)
    if rule_id not in every:
        from ..suggest import did_you_mean

        known = ", ".join(every)
        near = did_you_mean(rule_id, every, limit=3)
        click.echo(
            f'closure-check: there is no rule "{rule_id}".'
            + (f" {near[0].upper()}{near[1:]}" if near else "")
            + f" The rules are: {known}",
            err=True,
        )
        sys.exit(ExitStatus.INPUT)
    day = on or date.today()
    lr = in_force(loaded, day)[rule_id]
    shown = lr or every[rule_id][-1]
    click.echo(render("rule.txt", rule=shown.rule, path=shown.path), nl=False)
    if is_dated(loaded):
        click.echo("")
        if lr is None:
            latest = shown.path.name
            click.echo(f"Not in force on {date_words(day)}: this is its latest version, {latest}.")
        else:
            click.echo(f"In force on {date_words(day)}: {lr.path.name} ({period(lr)}).")
        others = [v for v in every[rule_id] if v is not shown]
        for v in others:
            click.echo(f"Other version: {v.path.name} ({period(v)}).")
