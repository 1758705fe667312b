"""`closure-check check FILE`: a social worker checks one record before closing it."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from .common import ExitStatus, as_of_option, rules_option, user_errors


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="How to print the report.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report to this file (all at once, readable by you only) instead of printing.",
)
@as_of_option
@rules_option
@click.option(
    "--input-format",
    "input_format",
    type=click.Choice(["auto", "json", "yaml"]),
    default="auto",
    show_default=True,
    help="How to read the record: auto is by the file's name (.yaml and .yml are YAML), and for "
    "standard input (FILE -) JSON, or YAML when the text is not JSON but a YAML mapping.",
)
@click.option(
    "--select",
    "select",
    metavar="IDS",
    multiple=True,
    help="Check only these rules (ids, comma-separated or the option repeated); the others are "
    "left out of the report, and the verdict is theirs alone.",
)
@click.option(
    "--ignore",
    "ignore",
    metavar="IDS",
    multiple=True,
    help="Leave these rules out (ids, comma-separated or the option repeated).",
)
@click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice(["blocker", "advisory"]),
    default="blocker",
    show_default=True,
    help="advisory: exit 1 when an advisory rule fails too (the verdict is unchanged).",
)
@click.option(
    "--verbose",
    is_flag=True,
    default=False,
    help="In the text report, list every rule that passes or does not apply, with its message.",
)
@user_errors
def check(
    file: Path,
    fmt: str,
    output: Path | None,
    as_of: date | None,
    rules_dir: Path | None,
    input_format: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str,
    verbose: bool,
) -> None:
    """Check one record (JSON or YAML; FILE - reads standard input) and print its report (or
    write it to --output). With --format json, an invalid record's problems are printed as
    JSON on standard output.

    Exit status: 0 pass, 1 fail, 2 input error."""
    from ..api import checker_for
    from ..render import report_html, report_text

    checker = checker_for(rules_dir)
    only = _chosen_rules(checker.rule_ids, select, ignore)
    report = _checked(file, checker, as_of or date.today(), input_format, only)
    if fmt == "json":
        text = report.to_json()
    elif fmt == "html":
        text = report_html(report)
    else:
        text = report_text(report, verbose=verbose)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_report(output, text, record_file=file)
        click.echo(f"closure-check: the report ({report.verdict}) is in {output}", err=True)
    if only is not None:
        left_out = sorted(checker.rule_ids - only)
        click.echo(f"closure-check: not checked (left out): {', '.join(left_out)}", err=True)
    advisory_fails = fail_on == "advisory" and any(
        r.severity == "advisory" and r.status == "fail" for r in report.results
    )
    failed = report.verdict == "fail" or advisory_fails
    sys.exit(ExitStatus.FAIL if failed else ExitStatus.PASS)


# -- reading standard input and choosing rules (check -, --input-format, --select, --ignore) ----


def _checked(file: Path, checker: Any, as_of: date, input_format: str, only: Any) -> Any:
    """The report of the record in `file` (standard input for "-"), read as `input_format`
    says, carrying the SHA-256 of the very bytes that were checked."""
    import dataclasses
    import hashlib

    from ..record import record_from_text
    from ..sources import MAX_RECORD_BYTES, decode_utf8, format_of, read_text_and_digest

    if str(file) == "-":
        source = "<standard input>"
        raw = sys.stdin.buffer.read(MAX_RECORD_BYTES + 1)
        if len(raw) > MAX_RECORD_BYTES:  # read no further: its size is not known
            from ..errors import InputError, Problem
            from ..sources.files import too_large

            raise InputError([Problem(source, None, "", too_large(), "too_large")])
        text, digest = decode_utf8(raw, source), hashlib.sha256(raw).hexdigest()
    else:
        source = str(file)
        text, digest = read_text_and_digest(file)
    fmt = input_format
    if fmt == "auto":
        fmt = "yaml" if format_of(file) == "yaml" else "json"
        fmt = _sniffed(text, source) if str(file) == "-" else fmt
    record = record_from_text(
        text,
        source=source,
        as_of=as_of,
        fmt="yaml" if fmt == "yaml" else "json",
        rule_ids=checker.rule_ids,
    )
    report = checker.check(record, as_of=as_of, only=only)
    return dataclasses.replace(report, input_sha256=digest)


def _sniffed(text: str, source: str) -> str:
    """JSON, unless the text is not JSON but reads as a YAML mapping."""
    import json

    from ..errors import InputError
    from ..sources import decode_yaml

    try:
        json.loads(text)
    except RecursionError:
        return "json"  # decoding it as JSON says why it cannot be read
    except ValueError:
        try:
            return "yaml" if isinstance(decode_yaml(text, source=source), dict) else "json"
        except InputError:
            return "json"  # its JSON syntax error is the one to tell
    return "json"


def _chosen_rules(
    known: frozenset[str], select: tuple[str, ...], ignore: tuple[str, ...]
) -> frozenset[str] | None:
    """The rule ids `--select` and `--ignore` leave (None: every rule); an unknown id is an
    input error with the nearest ids suggested."""
    from ..errors import InputError, Problem
    from ..suggest import did_you_mean

    def ids(values: tuple[str, ...]) -> list[str]:
        return [i.strip() for v in values for i in v.split(",") if i.strip()]

    chosen, dropped = ids(select), ids(ignore)
    unknown = [
        Problem(
            option,
            None,
            "",
            f'"{i}" is not a rule id of the rules in use',
            "unknown_rule",
            hint=did_you_mean(i, known, limit=3) or "closure-check rules list shows them",
        )
        for option, given in (("--select", chosen), ("--ignore", dropped))
        for i in given
        if i not in known
    ]
    if select and not chosen:  # `--select ""`: a script's empty list must not mean "all"
        unknown.append(Problem("--select", None, "", "names no rule id", "no_rule"))
    if unknown:
        raise InputError(unknown)
    if not chosen and not dropped:
        return None
    left = frozenset(chosen or known) - frozenset(dropped)
    if not left:  # checking nothing must never pass
        raise InputError([Problem("--ignore", None, "", "leaves no rule to check", "no_rule")])
    return left


def _write_report(path: Path, text: str, *, record_file: Path) -> None:
    """A report file fit for a case file: written whole or not at all, readable by its owner
    only. Not being able to write it is the user's to put right (exit 2), not a traceback."""
    from ..errors import InputError, Problem
    from ..output import write_private

    def refuse(message: str) -> InputError:
        return InputError([Problem(str(path), None, "", message)])

    if path.exists() and record_file.exists() and path.samefile(record_file):
        raise refuse("is the record being checked: the report would overwrite it")
    try:
        write_private(path, text)
    except OSError as e:
        raise refuse(f"the report could not be written: {e.strerror or e}") from None


@click.command()
def schema() -> None:
    """Print the JSON Schema of the record format."""
    import json

    from ..record import record_json_schema

    click.echo(json.dumps(record_json_schema(), indent=2, ensure_ascii=False))
