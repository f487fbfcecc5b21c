"""What the operator commands share: settings, servers, output, exit codes.

Exit codes mean something to scripts: 0 done, 1 the command ran and found a problem
(``events verify`` found a broken invariant, ``dlq retry`` found no such message), 2 the
command could not run (bad arguments, configuration, a server that cannot be reached).
"""

import sys
from typing import Any, NoReturn

import msgspec
import typer
from rich.console import Console

from planner.settings import Settings, SettingsError, from_env, with_home_secret

EXIT_FOUND_PROBLEM = 1
EXIT_CANNOT_RUN = 2

console = Console(stderr=True)  # people read stderr; stdout is data for scripts


def settings() -> Settings:
    try:
        return from_env()
    except SettingsError as exc:
        fail(str(exc))


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
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code=code)


def print_json(value: Any) -> None:
    """One JSON document on stdout (``--json`` output)."""
    sys.stdout.buffer.write(msgspec.json.encode(value) + b"\n")
    sys.stdout.flush()
