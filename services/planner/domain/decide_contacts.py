"""Decisions on support contacts: adding, consent (said by the contact), removal, escalation.

Consent commands repeat harmlessly: a contact who clicks "yes" twice changes nothing.
"""

from typing import Final

from contracts.events import (
    ConsentDeclined,
    ConsentGiven,
    ConsentWithdrawn,
    EscalationPolicySet,
    PlanEvent,
    SupportContactAdded,
    SupportContactRemoved,
)
from contracts.ids import ContactId
from contracts.vocabulary import Channel, ConsentScope, Level, Tier
from planner.domain.commands import (
    AddSupportContact,
    DeclineConsent,
    GiveConsent,
    RemoveSupportContact,
    SetEscalationPolicy,
    WithdrawConsent,
)
from planner.domain.errors import InvalidCommand, RuleViolated
from planner.domain.guards import ADDRESS_MAX, contact_of, require_new, short_text
from planner.domain.state import ConsentStatus, PlanState

MAX_TIERS: Final = 5
MAX_ACK_TIMEOUT_SECONDS: Final = 86_400


def add_contact(state: PlanState, command: AddSupportContact) -> list[PlanEvent]:
    require_new(state.contacts, command.contact_id, "support contact")
    added = SupportContactAdded(
        contact_id=command.contact_id,
        display_name=short_text("display_name", command.display_name),
        relationship=short_text("relationship", command.relationship),
        channels=_channels(command.channels),
        added_by=command.actor,
        added_by_name=next(
            (p.display_name for p in state.partners if p.participant_id == command.actor), ""
        ),
    )
    return [added]


def _channels(channels: tuple[Channel, ...]) -> tuple[Channel, ...]:
    if not channels:
        raise InvalidCommand("channels", "a support contact needs at least one channel")
    cleaned = tuple(
        Channel(kind=c.kind, address=short_text("channels", c.address, ADDRESS_MAX))
        for c in channels
    )
    if len({(c.kind, c.address) for c in cleaned}) < len(cleaned):
        raise InvalidCommand("channels", "the same channel is listed twice")
    return cleaned


def give_consent(state: PlanState, command: GiveConsent) -> list[PlanEvent]:
    contact = contact_of(state, command.contact_id)
    # Canonical order, no repeats: the same consent given twice compares equal.
    scope = ConsentScope(
        levels=tuple(level for level in Level if level in command.scope.levels),
        share_signs=command.scope.share_signs,
        share_notes=command.scope.share_notes,
    )
    if contact.consent is ConsentStatus.GIVEN and contact.scope == scope:
        return []
    if not scope.levels:
        raise InvalidCommand("scope", "consent must cover at least one level")
    return [ConsentGiven(contact_id=command.contact_id, scope=scope, at=command.now)]


def decline_consent(state: PlanState, command: DeclineConsent) -> list[PlanEvent]:
    contact = contact_of(state, command.contact_id)
    if contact.consent is ConsentStatus.DECLINED:
        return []
    if contact.consent is ConsentStatus.GIVEN:
        raise RuleViolated("consent_given", "consent was given: withdraw consent instead")
    return [ConsentDeclined(contact_id=command.contact_id, at=command.now)]


def withdraw_consent(state: PlanState, command: WithdrawConsent) -> list[PlanEvent]:
    contact = contact_of(state, command.contact_id)
    if contact.consent is ConsentStatus.WITHDRAWN:
        return []
    if contact.consent is not ConsentStatus.GIVEN:
        raise RuleViolated("no_consent", "there is no consent to withdraw")
    return [ConsentWithdrawn(contact_id=command.contact_id, at=command.now)]


def remove_contact(state: PlanState, command: RemoveSupportContact) -> list[PlanEvent]:
    contact_of(state, command.contact_id)
    return [SupportContactRemoved(contact_id=command.contact_id)]


def set_policy(state: PlanState, command: SetEscalationPolicy) -> list[PlanEvent]:
    if not 1 <= len(command.tiers) <= MAX_TIERS:
        raise InvalidCommand("tiers", f"a policy has from 1 to {MAX_TIERS} tiers")
    seen: set[ContactId] = set()
    for tier in command.tiers:
        _check_tier(state, tier, seen)
        seen.update(tier.contact_ids)
    return [EscalationPolicySet(level=command.level, tiers=command.tiers)]


def _check_tier(state: PlanState, tier: Tier, seen: set[ContactId]) -> None:
    if not tier.contact_ids:
        raise InvalidCommand("tiers", "every tier needs at least one contact")
    if not 1 <= tier.ack_timeout_seconds <= MAX_ACK_TIMEOUT_SECONDS:
        raise InvalidCommand(
            "ack_timeout_seconds",
            f"ack_timeout_seconds must be from 1 to {MAX_ACK_TIMEOUT_SECONDS}",
        )
    if len(set(tier.contact_ids)) < len(tier.contact_ids) or seen & set(tier.contact_ids):
        raise InvalidCommand("tiers", "a contact appears more than once in the policy")
    for contact_id in tier.contact_ids:
        contact_of(state, contact_id)
