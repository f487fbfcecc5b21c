"""``tandem dlq``: the dead letters the notifier gave up on, and a way to retry one."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import nats
import nats.errors
import typer
from nats.js import JetStreamContext
from rich.console import Console
from rich.table import Table

from planner.admin import common
from planner.inbound import dead_letters
from planner.inbound.dead_letters import DeadLetter, NoSuchDeadLetter
from planner.runtime.stack import servers

T = TypeVar("T")

CONNECT_TIMEOUT_SECONDS = 5.0

dlq = typer.Typer(
    help="Dead letters: messages the notifier (or the planner) could not handle.",
    no_args_is_help=True,
)


@dlq.command("list")
def list_letters(
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document on stdout")] = False,
) -> None:
    """Every dead-lettered message: its id, when, original subject, event, and reason."""
    letters = _with_jetstream(dead_letters.dead_letters)
    if as_json:
        common.print_json(letters)
    elif not letters:
        common.console.print("no dead letters")
    else:
        Console().print(_table(letters))


@dlq.command("retry")
def retry_letter(
    letter_id: Annotated[int, typer.Argument(metavar="ID", min=1, help="an id from `dlq list`")],
) -> None:
    """Put a dead letter's event back in front of the notifier, and take it off the list."""

    async def retry(js: JetStreamContext) -> dead_letters.Retried:
        return await dead_letters.retry(js, letter_id)

    try:
        retried = _with_jetstream(retry)
    except NoSuchDeadLetter:
        common.fail(
            f"no dead letter {letter_id} (see `tandem dlq list`; a retried one is gone)",
            common.EXIT_FOUND_PROBLEM,
        )
    if retried.already:
        common.fail(
            f"dead letter {letter_id} had been retried already ({retried.stream} sequence "
            f"{retried.sequence}); nothing was published again",
            common.EXIT_FOUND_PROBLEM,
        )
    common.console.print(
        f"retried dead letter {letter_id}: {retried.letter.subject} is {retried.stream} "
        f"sequence {retried.sequence} again; its consumer handles it next"
    )


def _with_jetstream(action: Callable[[JetStreamContext], Awaitable[T]]) -> T:
    """Run ``action`` against the NATS in use (configured, or `make run`'s embedded one)."""
    with servers(common.settings()) as endpoints:
        url = endpoints.nats_url or ""
        try:
            return asyncio.run(_connected(url, action))
        except (nats.errors.Error, OSError) as exc:  # TimeoutError is an OSError
            common.fail(
                f"cannot reach NATS at {url} (gave up within {CONNECT_TIMEOUT_SECONDS:g} s: "
                f"{type(exc).__name__})"
            )


async def _connected(url: str, action: Callable[[JetStreamContext], Awaitable[T]]) -> T:
    """``action`` on a connection made within ``CONNECT_TIMEOUT_SECONDS``, or TimeoutError.

    nats-py tries a refused server again and again (every 2 s, 60 times) whatever
    ``allow_reconnect`` says, printing a traceback each time: the deadline bounds the
    tries, and our one line replaces the tracebacks.
    """
    connection = await asyncio.wait_for(
        nats.connect(
            url,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            allow_reconnect=False,
            max_reconnect_attempts=1,
            error_cb=_quiet,
        ),
        CONNECT_TIMEOUT_SECONDS,
    )
    try:
        return await action(connection.jetstream())
    finally:
        await connection.close()


async def _quiet(_: Exception) -> None:
    """nats-py reports each failed try here; the command reports once, when it gives up."""


def _table(letters: list[DeadLetter]) -> Table:
    table = Table("id", "when (UTC)", "subject", "event type", "event id", "reason")
    for letter in letters:
        table.add_row(
            str(letter.id),
            letter.at.strftime("%Y-%m-%d %H:%M:%S"),
            letter.subject,
            letter.event_type or "-",
            letter.event_id or "-",
            letter.reason,
        )
    return table
