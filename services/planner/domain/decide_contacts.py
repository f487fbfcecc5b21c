"""Decisions on support contacts: adding, consent (said by the contact), removal, escalation.

Each consent request has its own link, sent only to the contact. The link takes one
decision (accept or decline; after accepting, also withdrawal); the same answer again
changes nothing, any other is refused, and an expired or replaced link decides nothing.
"""

from datetime import datetime, timedelta
from typing import Final

from contracts.events import PlanEvent
from contracts.ids import ConsentRequestId, ContactId, ParticipantId
from contracts.support_events import (
    CONSENT_DAYS_DEFAULT,
    ConsentDeclined,
    ConsentGiven,
    ConsentRequested,
    ConsentWithdrawn,
    EscalationPolicySet,
    SupportContactAdded,
    SupportContactRemoved,
)
from contracts.vocabulary import Channel, ConsentScope, Level, Tier
from planner.domain import privacy
from planner.domain.commands import (
    AddSupportContact,
    DeclineConsent,
    GiveConsent,
    RemoveSupportContact,
    RequestConsent,
    SetEscalationPolicy,
    WithdrawConsent,
)
from planner.domain.decide_privacy import ask_other_partners
from planner.domain.errors import ConsentRequestClosed, InvalidCommand, RuleViolated
from planner.domain.guards import ADDRESS_MAX, contact_of, require_new, short_text
from planner.domain.state import ConsentRequest, ConsentStatus, PlanState, SupportContact

MAX_TIERS: Final = 5
MAX_ACK_TIMEOUT_SECONDS: Final = 86_400


def add_contact(state: PlanState, command: AddSupportContact) -> list[PlanEvent]:
    """The contact with the adder's own choice, a first consent request that the notifier
    sends to their channels, and the question to the other partner."""
    require_new(state.contacts, command.contact_id, "support contact")
    channels = _channels(command.channels)
    privacy.refuse_listed(channels, command.do_not_involve, command.actor)
    added = SupportContactAdded(
        contact_id=command.contact_id,
        display_name=short_text("display_name", command.display_name),
        relationship=short_text("relationship", command.relationship),
        channels=channels,
        added_by=command.actor,
        added_by_name=_name_of(state, command.actor),
        adder_disclosure=command.adder_disclosure,
    )
    asked = _asking(state, added, command, command.request_expires_at, command.consent_days)
    return [added, asked, *ask_other_partners(state, added, command)]


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


def _name_of(state: PlanState, participant_id: ParticipantId) -> str:
    return next((p.display_name for p in state.partners if p.participant_id == participant_id), "")


def _asking(
    state: PlanState,
    contact: SupportContactAdded | SupportContact,
    command: AddSupportContact | RequestConsent,
    expires_at: datetime,
    days: int,
) -> ConsentRequested:
    """The command's consent request, from its actor, to the contact's own channels only."""
    return ConsentRequested(
        contact_id=contact.contact_id,
        request_id=command.request_id,
        expires_at=expires_at,
        contact_name=contact.display_name,
        channels=contact.channels,
        requested_by=command.actor,
        requested_by_name=_name_of(state, command.actor),
        consent_days=privacy.consent_days(days),
    )


def request_consent(state: PlanState, command: RequestConsent) -> list[PlanEvent]:
    """Ask again, when the last request was declined, withdrawn or expired, or to renew a
    consent that ends soon (or has ended)."""
    contact = contact_of(state, command.contact_id)
    if not privacy.may_renew(contact, command.now):
        raise RuleViolated("consent_given", "they have consented: there is nothing to ask yet")
    if contact.request is not None and contact.request.is_open(command.now):
        until = f"{contact.request.expires_at:%Y-%m-%d}"
        raise RuleViolated("consent_request_open", f"their consent request is open until {until}")
    days = command.consent_days
    if days is None:
        days = CONSENT_DAYS_DEFAULT if contact.request is None else contact.request.consent_days
    return [_asking(state, contact, command, command.expires_at, days)]


def give_consent(state: PlanState, command: GiveConsent) -> list[PlanEvent]:
    contact = contact_of(state, command.contact_id)
    request = _request_answered(contact, command.request_id)
    # Canonical order, no repeats: the same consent given twice compares equal.
    scope = ConsentScope(
        levels=tuple(level for level in Level if level in command.scope.levels),
        share_signs=command.scope.share_signs,
        share_notes=command.scope.share_notes,
    )
    if request.answer is ConsentStatus.GIVEN and contact.scope == scope:
        return []  # the same answer again: a double tap
    _require_unanswered(request, command.now)
    if not scope.levels:
        raise InvalidCommand("scope", "consent must cover at least one level")
    return [
        ConsentGiven(
            contact_id=command.contact_id,
            scope=scope,
            at=command.now,
            request_id=request.request_id,
            expires_at=command.now + timedelta(days=request.consent_days),
        )
    ]


def decline_consent(state: PlanState, command: DeclineConsent) -> list[PlanEvent]:
    contact = contact_of(state, command.contact_id)
    request = _request_answered(contact, command.request_id)
    if request.answer is ConsentStatus.DECLINED:
        return []
    if request.answer is ConsentStatus.GIVEN:
        raise RuleViolated("consent_given", "consent was given: withdraw consent instead")
    _require_unanswered(request, command.now)
    return [
        ConsentDeclined(
            contact_id=command.contact_id, at=command.now, request_id=request.request_id
        )
    ]


def withdraw_consent(state: PlanState, command: WithdrawConsent) -> list[PlanEvent]:
    """Withdrawing outlives the link's expiry: a contact can always stop being alerted."""
    contact = contact_of(state, command.contact_id)
    if command.request_id is None and contact.request is None:
        return _withdraw_older(contact, command)
    request = _request_answered(contact, command.request_id)
    if request.answer is ConsentStatus.WITHDRAWN:
        return []
    if request.answer is not ConsentStatus.GIVEN:
        raise RuleViolated("no_consent", "there is no consent to withdraw")
    return [
        ConsentWithdrawn(
            contact_id=command.contact_id, at=command.now, request_id=request.request_id
        )
    ]


def _withdraw_older(contact: SupportContact, command: WithdrawConsent) -> list[PlanEvent]:
    """A consent given through a link from before requests had links of their own."""
    if contact.consent is ConsentStatus.WITHDRAWN:
        return []
    if contact.consent is not ConsentStatus.GIVEN:
        raise RuleViolated("no_consent", "there is no consent to withdraw")
    return [ConsentWithdrawn(contact_id=command.contact_id, at=command.now)]


def _request_answered(
    contact: SupportContact, request_id: ConsentRequestId | None
) -> ConsentRequest:
    """The request a link answers: only the contact's latest, and only by its own link."""
    request = contact.request
    if request_id is None:
        raise ConsentRequestClosed(
            "outdated", "this consent link no longer works: they can send you a new request"
        )
    if request is None or request.request_id != request_id:
        raise ConsentRequestClosed(
            "replaced", "a newer consent request replaced this one: use the link it brought"
        )
    return request


def _require_unanswered(request: ConsentRequest, now: datetime) -> None:
    """A decision is final for its link; an expired link takes no decision at all."""
    if request.answer is not None:
        raise RuleViolated(
            "consent_request_decided",
            f"this consent request was answered already ({request.answer}): the answer is "
            "final for its link, and only a new request brings a new one",
        )
    if now >= request.expires_at:
        raise ConsentRequestClosed(
            "expired",
            f"this consent request expired on {request.expires_at:%Y-%m-%d}: "
            "they can send you a new one",
        )


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
