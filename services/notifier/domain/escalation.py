"""Escalation: an activation behaves like an incident, triggered → acknowledged → resolved.

Each alerted tier starts a durable timer. When it fires, the activation's current status
decides what happens, so a late timer or a replay never pages anyone: only a still
triggered activation moves on, to the next tier or, past the last, to a note back to the
one who asked. Escalation follows "not acknowledged", not delivery status, except that a
tier whose every alert failed moves on early: for good, or still retried but failing long
enough to count as failed (``retrying``). The ledger brings its timer forward
(``hurry_if_tier_failed``).
"""

from datetime import datetime, timedelta
from enum import StrEnum

import msgspec

from contracts.events import PlanActivated
from contracts.vocabulary import ActivationTier


class ActivationStatus(StrEnum):
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Escalate(msgspec.Struct, frozen=True, kw_only=True):
    """Alert ``tier`` and start its timer."""

    tier: int
    ack_timeout_seconds: int


class NoAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """No tier is left: tell the one who asked that nobody answered."""


class Nothing(msgspec.Struct, frozen=True, kw_only=True):
    """Someone answered, or the activation is over: page nobody."""


Step = Escalate | NoAnswer | Nothing


class UnknownTier(ValueError):
    """The activation froze no tier with this number."""

    def __init__(self, tier: int) -> None:
        super().__init__(f"no tier {tier} in this activation")
        self.tier = tier


def tier_of(activation: PlanActivated, tier: int) -> ActivationTier | None:
    return next((t for t in activation.tiers if t.tier == tier), None)


def next_step(activation: PlanActivated, fired_tier: int, status: ActivationStatus) -> Step:
    """The timer of ``fired_tier`` fired (or every alert of that tier failed): what now?"""
    if status is not ActivationStatus.TRIGGERED:
        return Nothing()
    following = tier_of(activation, fired_tier + 1)
    if following is None:
        return NoAnswer()
    return Escalate(tier=following.tier, ack_timeout_seconds=following.ack_timeout_seconds)


def fires_at(activation: PlanActivated, tier: int, started_at: datetime) -> datetime:
    """When the timer of ``tier``, started at ``started_at``, fires."""
    frozen = tier_of(activation, tier)
    if frozen is None:
        raise UnknownTier(tier)
    return started_at + timedelta(seconds=frozen.ack_timeout_seconds)
