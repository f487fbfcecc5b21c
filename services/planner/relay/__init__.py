"""The outbox relay: events committed with the outbox, published to JetStream in order.

``loop`` runs the relay (one active per database, the others standing by), ``batch``
publishes one read of the outbox, ``publisher`` and ``streams`` are its NATS side,
``connection`` its own database session (the relay lock, the outbox NOTIFY), ``outbox``
the table it drains, and ``wake`` how a commit wakes it.
"""
