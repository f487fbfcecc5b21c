"""The outbox: one row per appended event, pending until the relay has published it.

``append`` writes the rows in the event's own transaction. The relay reads what is not yet
published, in position order, and marks what it published. Selecting by "not yet
published" rather than "position greater than the last one seen" is what keeps a
transaction that commits late, with a lower position, from being skipped: its row is
simply still pending the next time the relay looks.
"""

from collections.abc import Sequence

import msgspec

from contracts.envelope import Envelope
from planner.domain.personal_fields import withheld_from_the_notifier
from planner.store import unsealing
from planner.store.event_store import EventStoreError, Executor, envelope_of, translated

# "Not yet published", never a position cursor, with each row's event in the columns
# event_store reads envelopes from.
PENDING_ENVELOPES = """
SELECT e.position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.schema_version,
       e.payload::text AS payload, e.metadata::text AS metadata, e.recorded_at
FROM outbox AS o
JOIN events AS e ON e.position = o.position
WHERE o.published_at IS NULL
ORDER BY o.position
LIMIT $1
"""

MARK_PUBLISHED = """
UPDATE outbox SET published_at = clock_timestamp()
WHERE position = ANY($1::bigint[]) AND published_at IS NULL
"""


class UndecodableEvent(EventStoreError):
    """A pending event this code's catalogue cannot read (say, a type added by a newer release).

    It cannot be skipped without breaking its plan's order, so the relay ends its session and
    gives up the lock, which a relay of the newer release can take.
    """

    def __init__(self, position: int) -> None:
        self.position = position
        super().__init__(f"the event at position {position} does not decode")


class PendingBatch(msgspec.Struct, frozen=True, kw_only=True):
    envelopes: list[Envelope]
    more: bool
    """Events were left pending: the batch was full, or stopped before one that does not
    decode. When False, every event pending when it was read is in it."""


async def pending_envelopes(conn: Executor, limit: int = 500) -> PendingBatch:
    """The events not yet published, lowest position first, ready to publish.

    A position below one already published can still appear here (its transaction
    committed late); that is the point, not a bug. Stops before an event that does not
    decode, so those ahead of it still go out; raises ``UndecodableEvent`` when it is the
    first.
    """
    with translated():
        rows = await conn.fetch(PENDING_ENVELOPES, limit)
        payloads = await unsealing.opened(conn, rows, withheld=withheld_from_the_notifier)
    envelopes: list[Envelope] = []
    for row, payload in zip(rows, payloads, strict=True):
        try:
            envelopes.append(envelope_of(row, payload))
        except msgspec.DecodeError as error:  # the message may quote content: not kept
            if envelopes:
                break
            raise UndecodableEvent(row["position"]) from error
    return PendingBatch(envelopes=envelopes, more=len(rows) == limit or len(envelopes) < len(rows))


async def mark_published(conn: Executor, positions: Sequence[int]) -> None:
    """Record that these rows were published. Marking a row twice changes nothing."""
    if not positions:
        return
    with translated():
        await conn.execute(MARK_PUBLISHED, list(positions))


DEPTH = "SELECT count(*) FROM outbox WHERE published_at IS NULL"


async def depth(conn: Executor) -> int:
    """How many events wait for the relay (grows while NATS is away)."""
    with translated():
        return int(await conn.fetchval(DEPTH))
