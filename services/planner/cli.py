"""The ``tandem`` command."""

import asyncio
import secrets
import sys
from pathlib import Path
from typing import Annotated, NoReturn
from uuid import UUID

import asyncpg
import typer
from rich.console import Console

from common.ids import new_id
from contracts import schema
from planner.admin import (
    common,
    database,
    disclosures,
    dlq,
    erase,
    events_backup,
    events_tail,
    events_verify,
    notifier_commands,
    plan_show,
    reads,
    replay,
)
from planner.admin import events as admin_events
from planner.admin import migrate as admin_migrate
from planner.runtime import dev
from planner.runtime.stack import database_only
from planner.settings import Settings
from planner.store import accounts, migrations

app = typer.Typer(
    help="Tandem: a shared relapse-prevention plan for couples in recovery.",
    no_args_is_help=True,
    add_completion=False,
)
operator_token = typer.Typer(help="Operator tokens: read any plan's history, edit none.")
app.add_typer(operator_token, name="operator-token")
app.add_typer(admin_events.events, name="events")
admin_events.events.command("tail")(events_tail.tail)
admin_events.events.command("verify")(events_verify.verify)
admin_events.events.command("export")(events_backup.export)
admin_events.events.command("import")(events_backup.import_)
app.add_typer(database.db, name="db")
app.add_typer(plan_show.plan, name="plan")
app.command("migrate")(admin_migrate.migrate)
app.command("replay")(replay.replay)
app.command("reads")(reads.reads)
app.command("disclosures")(disclosures.disclosures)
app.command("erase")(erase.erase)
app.add_typer(dlq.dlq, name="dlq")
app.add_typer(notifier_commands.notifier, name="notifier")
console = Console(stderr=True)

OPERATOR_TOKEN_PREFIX = "tdm_o_"  # noqa: S105 - a prefix, not a secret


@app.command("dev")
def run_dev() -> None:
    """Run everything locally: embedded PostgreSQL and NATS (unless URLs are set), the API."""
    try:
        dev.run(_settings())
    except dev.AlreadyRunning as exc:
        _fail(str(exc))


@app.command("serve")
def serve() -> None:
    """Serve the API against TANDEM_DATABASE_URL (production: no embedded servers)."""
    settings = _settings()
    if not settings.database_url:
        _fail("`tandem serve` needs TANDEM_DATABASE_URL; use `tandem dev` for a local stack")
    dev.serve_only(settings)


@app.command("schema")
def write_schema(
    directory: Annotated[Path, typer.Option(help="where to write")] = schema.SCHEMA_DIR,
) -> None:
    """Write the contracts' JSON Schema (commit the result)."""
    for path in schema.write(directory):
        console.print(f"wrote {path}")


@operator_token.command("create")
def create_operator_token(
    label: Annotated[str, typer.Option(help="who or what the token is for")] = "operator",
) -> None:
    """Create an operator token. It is printed once, on standard output; only its hash is kept."""
    token = OPERATOR_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with database_only(_settings()) as url:
        asyncio.run(_add_operator(url, new_id(), label, token))
    console.print(f"operator token created for {label!r}; it is shown only this once:")
    typer.echo(token)


async def _add_operator(url: str, operator_id: UUID, label: str, token: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await migrations.migrate(conn)
        await accounts.add_operator(conn, operator_id, label, token)
    finally:
        await conn.close()


def _settings() -> Settings:
    return common.settings()


def _fail(message: str) -> NoReturn:
    common.fail(message)


def main() -> None:
    """The ``tandem`` program: a command that could not run exits 2 with one line, no traceback."""
    try:
        sys.exit(app())
    except common.COULD_NOT_RUN as exc:
        common.say_error(common.could_not_run(exc))
        sys.exit(common.EXIT_CANNOT_RUN)
