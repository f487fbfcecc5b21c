"""The delivery ledger over asyncpg, in the notifier's own ``notifier`` schema.

A delivery is claimed (a row under its unique claim key) in the same transaction that
decides it, then sent by whichever worker leases it. The lease, not a held transaction,
keeps two workers from sending one claim at once; a crashed worker's lease is freed at
once (or lapses) and the claim is sent again under the same delivery id. A round of tries
that failed for now leaves the claim with the time of its next round.

- ``activations``: activations as the notifier knows them, and the signs their alerts quote;
- ``claims``: deliveries claimed, each rendered once, and which alerts went out;
- ``leasing``: claims taken for sending when due, and kept while they are sent;
- ``presence``: who holds a lease, and freeing the leases of notifiers that are gone;
- ``retries``: a round that failed for now, left for its next round;
- ``outcomes``: how each send ended;
- ``reports``: what the planner has not been told of yet;
- ``timers``: escalation timers;
- ``chores``: one look at what the worker's chores loop has to do;
- ``sessions``: connections, session names, database errors, the worker's NOTIFY channel;
- ``migrations``: the schema, and ``python -m notifier migrate``.
"""
