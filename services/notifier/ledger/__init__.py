"""The delivery ledger over asyncpg, in the notifier's own ``notifier`` schema.

A delivery is claimed (a row under its unique claim key) in the same transaction that
decides it, then sent by whichever worker leases it. The lease, not a held transaction,
keeps two workers from sending one claim at once; a crashed worker's lease lapses and the
claim is sent again under the same delivery id.

- ``activations``: activations as the notifier knows them, and the signs their alerts quote;
- ``claims``: deliveries claimed, each rendered once, and which alerts went out;
- ``leasing``: claims taken for sending, and kept while they are sent;
- ``outcomes``: how each send ended;
- ``reports``: what the planner has not been told of yet;
- ``timers``: escalation timers;
- ``chores``: one look at what the worker's chores loop has to do;
- ``sessions``: connections, session names, database errors, the worker's NOTIFY channel;
- ``migrations``: the schema, and ``python -m notifier migrate``.
"""
