"""`closure-check serve`: the decision service for case management systems and the check page
(service/), and `serve token add NAME` to make a token for a client. FastAPI and uvicorn are
imported only when the server starts, so that `closure-check --help` stays quick."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import ExitStatus, rules_option, workers_option

_FILE = click.Path(path_type=Path, dir_okay=False)
_DEFAULT_TOKENS = Path("closure-check-tokens.json")


def _logging() -> dict[str, object]:
    """uvicorn's messages and the access log (ours, not uvicorn's: no query strings), on
    standard error."""
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(message)s"}},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "closure_check.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
    }


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="The port to listen on.")
@workers_option
@rules_option
@click.option("--tokens", "tokens_file", type=_FILE, default=None, help="The tokens file.")
@click.option("--tls-cert", type=_FILE, default=None, help="The TLS certificate (PEM).")
@click.option("--tls-key", type=_FILE, default=None, help="The TLS certificate's key (PEM).")
@click.option(
    "--decision-log", type=_FILE, default=None, help="Append each decision to FILE (JSON Lines)."
)
@click.option(
    "--max-body",
    type=int,
    default=16 * 1024 * 1024,
    show_default=True,
    help="Bytes a body may hold.",
)
@click.option(
    "--timeout", type=float, default=30.0, show_default=True, help="Seconds a request may take."
)
@click.option(
    "--rate",
    "rate_per_minute",
    type=int,
    default=6000,
    show_default=True,
    help="Requests a minute for each token.",
)
@click.option(
    "--max-concurrent",
    type=int,
    default=256,
    show_default=True,
    help="Requests checked at once before the service answers 503.",
)
@click.pass_context
def serve(ctx: click.Context, /, **options: object) -> None:
    """Serve checks over HTTP (127.0.0.1:8000 by default) for a case management system, and
    the check page for workers. Any address but loopback needs --tls-cert, --tls-key and
    --tokens."""
    if ctx.invoked_subcommand is not None:
        return
    from ..errors import InputError
    from ..service.auth import TokensFileError
    from ..service.settings import Settings

    settings = Settings(**options)  # type: ignore[arg-type]
    refusal = settings.refusal()
    if refusal is not None:
        click.echo(f"closure-check: {refusal}", err=True)
        sys.exit(ExitStatus.INPUT)
    try:
        import uvicorn

        from ..service.app import create_app

        app = create_app(settings)
    except InputError as e:
        for p in e.problems:
            click.echo(str(p), err=True)
        click.echo("closure-check: the rules cannot be used; the service did not start.", err=True)
        sys.exit(ExitStatus.INPUT)
    except TokensFileError as e:
        click.echo(f"closure-check: {e}", err=True)
        sys.exit(ExitStatus.INPUT)
    tls = {}
    if settings.tls_cert is not None and settings.tls_key is not None:
        tls = {"ssl_certfile": str(settings.tls_cert), "ssl_keyfile": str(settings.tls_key)}
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=_logging(),
        server_header=False,
        **tls,  # type: ignore[arg-type]
    )


@serve.group()
def token() -> None:
    """The tokens clients send (Authorization: Bearer TOKEN)."""


@token.command("add")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    type=click.Choice(["check", "audit"]),
    multiple=True,
    required=True,
    help="What the token may do (give it more than once for both).",
)
@click.option(
    "--tokens",
    "tokens_file",
    type=_FILE,
    default=_DEFAULT_TOKENS,
    show_default=True,
    help="The tokens file (made, readable by you only, if there is none).",
)
def token_add(name: str, scopes: tuple[str, ...], tokens_file: Path) -> None:
    """Make a token for the client NAME, keep its hash in the tokens file and print the token
    (once: it is kept nowhere else)."""
    from ..service.auth import TokensFileError, add_token

    try:
        secret = add_token(tokens_file, name, tuple(dict.fromkeys(scopes)))
    except (TokensFileError, OSError) as e:
        click.echo(f"closure-check: {e}", err=True)
        sys.exit(ExitStatus.INPUT)
    click.echo(secret)
    click.echo(
        f'closure-check: the token for "{name}" ({", ".join(scopes)}) is above; it is shown '
        f"only this once. Its hash is in {tokens_file}.",
        err=True,
    )
