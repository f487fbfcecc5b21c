"""``tandem notifier``: run the notifier, or replay the plan history through its decisions.

The notifier is its own program (``python -m notifier``), never imported here: the two
services share only ``contracts``.
"""

import os
import subprocess
import sys
from typing import Annotated

import msgspec
import typer

from planner.admin import common
from planner.runtime import notifier_process
from planner.runtime.stack import servers

notifier = typer.Typer(
    help="The notifier: with no command, run it (needs TANDEM_DATABASE_URL, TANDEM_NATS_URL, "
    "TANDEM_SECRET_KEY); `replay` runs its decisions again over the plan history."
)


@notifier.callback(invoke_without_command=True)
def run(ctx: typer.Context) -> None:
    """Run the notifier alone (TANDEM_DATABASE_URL, TANDEM_NATS_URL, TANDEM_SECRET_KEY)."""
    if ctx.invoked_subcommand is None:
        os.execv(sys.executable, notifier_process.command())  # noqa: S606


@notifier.command("replay")
def replay(
    from_sequence: Annotated[
        int,
        typer.Option(
            "--from-sequence", min=1, metavar="N", help="TANDEM_PLAN sequence to start at"
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="print what would be claimed, write nothing")
    ] = False,
) -> None:
    """Re-run the notifier's decisions over the history; nothing the ledger holds is sent again.

    Claims land in the delivery ledger, and the running notifier sends them. Try --dry-run
    first. See docs/dead-letters-and-notifier-replay.md.
    """
    arguments = ["replay", "--from-sequence", str(from_sequence)]
    if dry_run:
        arguments.append("--dry-run")
    # The secret `make run` made under TANDEM_HOME, unless TANDEM_SECRET_KEY is set.
    settings = common.settings_with_secret()
    # A child process rather than exec: embedded servers started for this command (no URLs
    # configured, `make run` not running) must be stopped when the replay ends.
    with servers(settings) as endpoints:
        resolved = msgspec.structs.replace(
            settings, database_url=endpoints.database_url, nats_url=endpoints.nats_url
        )
        # The environment `make run` gives the notifier: same servers, secret and links.
        environment = notifier_process.environment(resolved, dev_outbox=None)
        command = [*notifier_process.command(), *arguments]
        returncode = subprocess.run(command, env=environment, check=False).returncode  # noqa: S603
    raise typer.Exit(returncode)
