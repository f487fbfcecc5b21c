"""Escalation: an activation behaves like an incident, triggered → acknowledged → resolved.

Each alerted tier starts a durable timer. When it fires, the activation's current status
decides what happens, so a late timer or a replay never pages anyone: only a still
triggered activation moves on, to the next tier or, past the last, to a note back to the
one who asked. Escalation follows "not acknowledged", not delivery status, except that a
tier whose every delivery failed for good moves on early.
"""

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

import msgspec

from contracts.events import ActivationTier, PlanActivated
from notifier.domain.deliveries import PlannedDelivery


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


def first_step(activation: PlanActivated) -> Escalate | NoAnswer:
    """What a new activation starts with: its lowest tier, or straight to no answer.

    An activation with no tier (a plan with no other partner and no consenting contact)
    reaches nobody, and the one who asked should hear that at once.
    """
    if not activation.tiers:
        return NoAnswer()
    first = min(activation.tiers, key=lambda t: t.tier)
    return Escalate(tier=first.tier, ack_timeout_seconds=first.ack_timeout_seconds)


def next_step(activation: PlanActivated, fired_tier: int, status: ActivationStatus) -> Step:
    """The timer of ``fired_tier`` fired (or that tier failed for good): what now?"""
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


def all_failed(planned: Sequence[PlannedDelivery], permanently_failed: Collection[str]) -> bool:
    """Every delivery of a tier failed for good (by claim key): nobody can answer, move on.

    A tier with nothing to send counts as failed too: waiting out its timer would only
    keep the one who asked waiting for people who were never told.
    """
    return all(p.claim_key() in permanently_failed for p in planned)
