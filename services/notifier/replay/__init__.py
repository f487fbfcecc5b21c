"""Replay: the notifier's decisions run again over the planner's history in JetStream.

``history`` reads the stream without touching the live durable consumer; ``replayer``
runs each event through the live decisions, with what the rest of the history says; and
``command`` is ``python -m notifier replay``.
"""
