"""`closure-check rules list` and `rules show ID`: the rule catalogue, read from the rule files
alone (the rules engine is not started to list or explain them)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import ExitStatus, rules_option, user_errors


@click.group()
def rules() -> None:
    """The rule catalogue: list the rules, or explain one."""


@rules.command("list")
@rules_option
@user_errors
def rules_list(rules_dir: Path | None) -> None:
    """List every rule: id, severity, review paragraph and title."""
    from ..rulefile import load_rules

    loaded = load_rules(rules_dir)
    width = max(len(lr.rule.id) for lr in loaded)
    for lr in loaded:
        r = lr.rule
        click.echo(f"{r.id:<{width}}  {r.severity:<8}  {r.source.paragraph:<14}  {r.title}")


@rules.command("show")
@click.argument("rule_id")
@rules_option
@user_errors
def rules_show(rule_id: str, rules_dir: Path | None) -> None:
    """Explain one rule: what it checks, why, its source quoted, and its examples."""
    from ..render import render
    from ..rulefile import load_rules

    loaded = load_rules(rules_dir)
    lr = loaded.get(rule_id)
    if lr is None:
        known = ", ".join(r.rule.id for r in loaded)
        click.echo(f'closure-check: there is no rule "{rule_id}". The rules are: {known}', err=True)
        sys.exit(ExitStatus.INPUT)
    click.echo(render("rule.txt", rule=lr.rule, path=lr.path), nl=False)
