"""What the operator commands share: settings, servers, output, exit codes.

Exit codes mean something to scripts: 0 done, 1 the command ran and found a problem
(``events verify`` found a broken invariant, ``dlq retry`` found no such message), 2 the
command could not run (bad arguments, configuration, a server that cannot be reached).
A could-not-run error that escapes a command is reported the same way, in one line, by
the ``tandem`` program itself (``cli.main``, through ``could_not_run``): never a traceback.
"""

import sys
from typing import Any, NoReturn

import asyncpg
import msgspec
import nats.errors
import typer
from rich.console import Console

from planner.settings import Settings, SettingsError, from_env, with_home_secret
from planner.store import data_keys

EXIT_FOUND_PROBLEM = 1
EXIT_CANNOT_RUN = 2

console = Console(stderr=True)  # people read stderr; stdout is data for scripts


def settings() -> Settings:
    """The settings from the environment; with the service secret, when there is one, known
    to the event store, so that the command reads personal fields (``planner.store.sealing``)."""
    try:
        configured = from_env()
    except SettingsError as exc:
        fail(str(exc))
    if configured.secret_key:
        data_keys.learn(configured.chain_key)
    elif (configured.home / "secret_key").exists():
        data_keys.learn(with_home_secret(configured).chain_key)
    return configured


def settings_with_secret() -> Settings:
    """Settings whose secret is TANDEM_SECRET_KEY, or the one `make run` keeps in TANDEM_HOME.

    Never a new one: a command that checks signatures or hashes with a fresh random key
    would only report that nothing matches.
    """
    configured = settings()
    if configured.secret_key:
        return configured
    if not (configured.home / "secret_key").exists():
        fail(
            "this command needs the service secret: set TANDEM_SECRET_KEY, or TANDEM_HOME to "
            "the folder `make run` uses"
        )
    return with_home_secret(configured)


def fail(message: str, code: int = EXIT_CANNOT_RUN) -> NoReturn:
    """Say why on one line of stderr (never wrapped), and exit with ``code``."""
    say_error(message)
    raise typer.Exit(code=code)


def say_error(message: str) -> None:
    console.print(f"[red]error:[/red] {message}", soft_wrap=True, highlight=False)


# What "could not run" looks like when it escapes a command: a server that refuses or does
# not answer, a database that is not there or refuses us, a file that cannot be opened.
COULD_NOT_RUN: tuple[type[Exception], ...] = (
    OSError,  # refused, unreachable, no such file (TimeoutError is one too)
    asyncpg.PostgresConnectionError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidAuthorizationSpecificationError,
    nats.errors.NoServersError,
    data_keys.SealingError,  # sealed personal data, and not the secret it was sealed under
)


def could_not_run(exc: Exception) -> str:
    """One line for an error in ``COULD_NOT_RUN``."""
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"cannot open {exc.filename}: {exc.strerror or type(exc).__name__}"
    said = " ".join(str(exc).split()) or type(exc).__name__
    return f"could not run: {said}"


def print_json(value: Any) -> None:
    """One JSON document on stdout (``--json`` output)."""
    sys.stdout.buffer.write(msgspec.json.encode(value) + b"\n")
    sys.stdout.flush()
