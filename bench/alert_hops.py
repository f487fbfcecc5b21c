"""Where an alert's time goes, hop by hop, from timestamps the services already record.

Read after the run, off the clock, for each measured activation:

- **commit**: ``events.recorded_at`` of its ``plan.activated`` event. The planner's appender
  reads the clock (``datetime.now``) just before the INSERT, inside the transaction, so
  the commit itself comes a little later: the rest of the transaction (outbox row, read
  models, NOTIFY) and COMMIT are on the next hop.
- **publish**: the time nats-server stored the message in the plan stream (JetStream's own
  timestamp of the message, read back through an ephemeral consumer). It falls between the
  relay's publish and the ack it gets; ``outbox.published_at`` is not used, as the relay
  marks a whole batch after its last ack.
- **notifier**: ``notifier.activations.created_at``: ``now()`` in the transaction the
  consumer handles the message in, i.e. when that transaction began (after the fetch, the
  decoding and taking a pooled connection). The claims of the alert share that timestamp.
- **webhook**: the receiver's ``time.time()`` when it had read the whole request.

All four clocks are this host's wall clock (the planner, PostgreSQL, nats-server and the
receiver run here). Each hop figure is the median of that hop's durations: medians of
hops need not add up to the median of the whole, and the first hop starts before the API
answered, so it overlaps the accepted → webhook figure.
"""

import statistics
from collections.abc import Sequence
from datetime import datetime

import asyncpg
import msgspec
import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from bench.activations import Sample
from bench.figures import Figure, figure
from contracts.envelope import Envelope
from contracts.events import PlanActivated
from contracts.subjects import PLAN_STREAM

HOPS = ("commit→publish", "publish→notifier", "notifier→webhook")
ACTIVATED_SUBJECT = "tandem.plan.*.activated"
FETCH_BATCH = 500

COMMITTED = """
SELECT payload->>'activation_id' AS activation_id, recorded_at
FROM events
WHERE event_type = 'plan.activated' AND payload->>'activation_id' = ANY($1::text[])
"""
RECEIVED = """
SELECT activation_id::text AS activation_id, created_at
FROM notifier.activations
WHERE activation_id = ANY($1::uuid[])
"""

_envelope = msgspec.json.Decoder(Envelope)


async def hop_figures(
    prefix: str, samples: Sequence[Sample], database_url: str, nats_url: str
) -> list[Figure]:
    """``{prefix}: hop commit→publish``, ``hop publish→notifier``, ``hop notifier→webhook``."""
    ids = [s.activation_id for s in samples]
    committed, received = await _database_times(database_url, ids)
    published = await _stored_times(nats_url)
    hops: dict[str, list[float]] = {name: [] for name in HOPS}
    for sample in samples:
        key = sample.activation_id
        times = (committed[key], published[key], received[key], sample.arrival.wall)
        for name, start, end in zip(HOPS, times, times[1:], strict=False):
            hops[name].append((end - start) * 1000)
    return [
        figure(f"{prefix}: hop {name}", "ms", [statistics.median(values)], digits=2)
        for name, values in hops.items()
    ]


async def _database_times(
    database_url: str, ids: list[str]
) -> tuple[dict[str, float], dict[str, float]]:
    conn = await asyncpg.connect(database_url)
    try:
        committed = await conn.fetch(COMMITTED, ids)
        received = await conn.fetch(RECEIVED, ids)
    finally:
        await conn.close()
    return _epochs(committed, "recorded_at"), _epochs(received, "created_at")


def _epochs(rows: list[asyncpg.Record], column: str) -> dict[str, float]:
    return {row["activation_id"]: _epoch(row[column]) for row in rows}


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


async def _stored_times(nats_url: str) -> dict[str, float]:
    """When JetStream stored each ``plan.activated`` message, by activation id."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.NONE,
            inactive_threshold=30.0,
            mem_storage=True,
        )
        subscription = await js.pull_subscribe(ACTIVATED_SUBJECT, stream=PLAN_STREAM, config=config)
        stored: dict[str, float] = {}
        while True:
            messages = await subscription.fetch(FETCH_BATCH, timeout=5.0)
            for message in messages:
                event = _envelope.decode(message.data).event
                if isinstance(event, PlanActivated):
                    stored[str(event.activation_id)] = _epoch(message.metadata.timestamp)
            if messages[-1].metadata.num_pending == 0:
                return stored
    finally:
        await nc.close()
