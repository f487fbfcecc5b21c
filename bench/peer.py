"""The peer: the Python ``eventsourcing`` library on PostgreSQL, in its fastest documented setup.

Its configuration, from the library's documentation ("PostgreSQL environment" in the
persistence module's page, and the aggregate settings of its own speedrun example,
docs/topics/examples/dcb-enrolment-speedrun.rst):

- ``PERSISTENCE_MODULE=eventsourcing.postgres`` over psycopg 3 with its binary build
  (``psycopg[binary]``) and psycopg's pool;
- ``POSTGRES_ENABLE_DB_FUNCTIONS=y``: events are inserted by one call of the library's
  PL/pgSQL function in an autocommit statement (one round trip), which its speedrun uses;
- ``POSTGRES_POOL_SIZE`` = the number of writer threads, ``POSTGRES_MAX_OVERFLOW=0``: one
  open connection per thread, never one made on the hot path;
- ``POSTGRES_PRE_PING=n`` (the documented default; the docs note enabling it costs time);
- the default ``JSONTranscoder`` (the only one the library ships; the separate
  ``eventsourcing-orjsontranscoder`` is a 2022 Cython build for 9.2 and not on this index
  for our Python), with the application's default UUID/datetime transcodings;
- no snapshots and no aggregate cache (neither helps a new aggregate or a full replay).

Each peer uses its own database on the same server as ours.
"""

import asyncio
import contextlib
import importlib.metadata
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from bench.peer_domain import Plan, Sign
from planner.runtime.embedded.postgres import ensure_database

TEMPLATES = 1_000  # distinct plans the fill cycles through
COPY = SQL("COPY {table} (originator_id, originator_version, topic, state) FROM STDIN")
START = datetime(2026, 1, 1, tzinfo=UTC)


def peer_version() -> str:
    """The installed ``eventsourcing`` version."""
    return importlib.metadata.version("eventsourcing")


def environment(url: str, pool_size: int) -> dict[str, str]:
    """The library's settings for the database of ``url`` (an asyncpg/libpq URL)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": query.get("host", [parts.hostname or "localhost"])[0],
        "POSTGRES_PORT": query.get("port", [str(parts.port or 5432)])[0],
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": "0",
        "POSTGRES_PRE_PING": "n",
        "CREATE_TABLE": "y",
    }


class Signs(Application[UUID]):
    """The append peer: one application, its events in ``signs_events``."""

    name = "Signs"


class Plans(Application[UUID]):
    """The replay peer: its events in ``plans_events``."""

    name = "Plans"


App = TypeVar("App", bound=Application[UUID])


@contextlib.asynccontextmanager
async def application(kind: type[App], url: str, pool_size: int) -> AsyncIterator[App]:
    """``kind`` on database ``tandem_peer`` of ``url``'s server, its pool open and full."""
    peer_url = await ensure_database(url, "tandem_peer")
    app = await asyncio.to_thread(kind, env=environment(peer_url, pool_size))
    try:
        recorder = cast(PostgresApplicationRecorder, app.recorder)
        await asyncio.to_thread(recorder.max_notification_id)  # opens the pool
        await asyncio.to_thread(recorder.datastore.pool.wait)
        yield app
    finally:
        await asyncio.to_thread(app.close)


# --- append ---------------------------------------------------------------------------


def save_sign(app: Signs, per_transaction: int) -> None:
    """A new aggregate with ``per_transaction`` events, saved at once (one transaction)."""
    sign = Sign(uuid4(), "sleep", "Up past 3am several nights running", "watch")
    for _ in range(per_transaction - 1):
        sign.revise("sleep", "Up past 3am several nights running", "watch")
    app.save(sign)


def append_rate(app: Signs, writers: int, total: int, per_transaction: int) -> float:
    """Events per second with ``writers`` threads saving ``total`` aggregates between them."""
    each = total // writers

    def writer() -> None:
        for _ in range(each):
            save_sign(app, per_transaction)

    with ThreadPoolExecutor(max_workers=writers) as threads:
        started = time.perf_counter()
        for done in [threads.submit(writer) for _ in range(writers)]:
            done.result()
        seconds = time.perf_counter() - started
    return each * writers * per_transaction / seconds


# --- replay ---------------------------------------------------------------------------


def plan_life(index: int) -> Plan:
    """One plan's 24 events, the same mix ``bench.replay_rate.plan_events`` stores for us."""
    alex, sam, invite = uuid4(), uuid4(), uuid4()
    at = START + timedelta(minutes=index)
    plan = Plan("Our plan", alex, "Alex")
    plan.invite_partner(invite, alex, uuid4().hex * 2, at)
    plan.join(invite, sam, "Sam")
    for _ in range(3):
        plan.add_sign(uuid4(), alex, "sleep", "Up late", "watch")
    for level in ("watch", "setback", "crisis"):
        plan.add_step(uuid4(), level, "Call")
    contacts = [uuid4(), uuid4()]
    email = [{"kind": "email", "address": "support@example.org"}]
    for contact in contacts:
        plan.add_contact(contact, "Jo", "sponsor", email, alex)
    for contact in contacts:
        plan.give_consent(contact, {"alerts": True}, at)
    plan.set_policy("setback", [{"contact_ids": contacts, "ack_timeout_seconds": 300}])
    for _ in range(5):
        plan.check_in(uuid4(), alex, 3, 2, "", [], at)
    activation = uuid4()
    recipients: list[dict[str, Any]] = [
        {"recipient_id": who, "kind": "contact", "display_name": "Jo", "tier": 1}
        for who in contacts
    ]
    plan.activate(activation, "setback", alex, "", recipients, at)
    for who in contacts:
        plan.record_delivery(uuid4(), activation, who, "email", 1, "sent", at)
    plan.acknowledge(activation, sam, at)
    plan.resolve(activation, "resolved", "", alex, at)
    return plan


def templates(count: int) -> list[list[StoredEvent]]:
    """``count`` plans made through the aggregate's methods, mapped by the library's mapper."""
    app = Plans(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return [
        [app.mapper.to_stored_event(e) for e in plan_life(i).collect_events()] for i in range(count)
    ]


def fill(app: Plans, count: int) -> None:
    """Store ``count`` events of whole plans in the peer's table, by COPY.

    The rows are what the library's recorder writes (its mapper's topic and state bytes),
    cycled from ``TEMPLATES`` plans under fresh aggregate ids; the table's own sequence
    gives the notification ids. Building a million events through the aggregates and
    inserting them through the recorder would take minutes, and is not what is measured.
    Then VACUUM, as ours is (``bench.replay_store.fill``).
    """
    recorder = cast(PostgresApplicationRecorder, app.recorder)
    table = SQL("{}.{}").format(
        Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
    )
    plans = templates(TEMPLATES)
    with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
        with cursor.copy(COPY.format(table=table)) as copy:
            made, index = 0, 0
            while made < count:
                plan_id = uuid4()
                for stored in plans[index % TEMPLATES][: count - made]:
                    copy.write_row((plan_id, stored.originator_version, stored.topic, stored.state))
                    made += 1
                index += 1
        cursor.execute(SQL("VACUUM (ANALYZE) {}").format(table))


def replay_rate(app: Plans, page_size: int) -> float:
    """Events per second replaying the notification log into aggregates held in memory.

    Read (the notification log in pages), decode (the application's mapper) and apply
    (each event's ``mutate``, the step the library's repository projects aggregates with).
    """
    plans: dict[UUID, Plan] = {}
    to_domain_event = app.mapper.to_domain_event
    replayed, start = 0, 1
    started = time.perf_counter()
    while page := app.recorder.select_notifications(start, page_size):
        for notification in page:
            domain_event = cast(CanMutateAggregate[UUID], to_domain_event(notification))
            key = domain_event.originator_id
            plans[key] = cast(Plan, domain_event.mutate(plans.get(key)))
        replayed += len(page)
        start = page[-1].id + 1
    return replayed / (time.perf_counter() - started)
