"""The plan's events about support contacts: who they are, their consent, the escalation tiers.

Part of the one tagged union in ``contracts.events``, under the same evolution rules.
"""

from datetime import datetime

from contracts.ids import ConsentRequestId, ContactId, ParticipantId
from contracts.vocabulary import Channel, ConsentScope, Event, Level, ShortText, Tier


class SupportContactAdded(Event, frozen=True, kw_only=True, tag="plan.support_contact_added"):
    contact_id: ContactId
    display_name: ShortText
    relationship: ShortText
    channels: tuple[Channel, ...]
    added_by: ParticipantId
    added_by_name: str = ""


class ConsentRequested(Event, frozen=True, kw_only=True, tag="plan.consent_requested"):
    """A contact is asked, on their own channels only, by a link for this request alone
    (until ``expires_at``; one decision closes it). Name and channels are copied for the
    notifier, which sends the request from this event alone."""

    contact_id: ContactId
    request_id: ConsentRequestId
    expires_at: datetime
    contact_name: ShortText
    channels: tuple[Channel, ...]
    requested_by: ParticipantId
    requested_by_name: str = ""


class ConsentGiven(Event, frozen=True, kw_only=True, tag="plan.consent_given"):
    contact_id: ContactId
    scope: ConsentScope
    at: datetime
    request_id: ConsentRequestId | None = None  # the request whose link said so; None: older


class ConsentDeclined(Event, frozen=True, kw_only=True, tag="plan.consent_declined"):
    contact_id: ContactId
    at: datetime
    request_id: ConsentRequestId | None = None


class ConsentWithdrawn(Event, frozen=True, kw_only=True, tag="plan.consent_withdrawn"):
    contact_id: ContactId
    at: datetime
    request_id: ConsentRequestId | None = None


class SupportContactRemoved(Event, frozen=True, kw_only=True, tag="plan.support_contact_removed"):
    contact_id: ContactId


class EscalationPolicySet(Event, frozen=True, kw_only=True, tag="plan.escalation_policy_set"):
    level: Level
    tiers: tuple[Tier, ...]
