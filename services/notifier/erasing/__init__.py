"""Erasing a person from what the notifier holds: its ledger and the messages in JetStream.

``streams`` reads a plan's messages and deletes them securely; ``eraser`` does an erasure
event's whole part, for the live consumer. The ledger's own part is
``notifier.ledger.erasure``; what is the person's, ``notifier.domain.erasure``.
"""
