"""The plan's events about support contacts: who they are, their consent, the escalation tiers.

Part of the one tagged union in ``contracts.events``, under the same evolution rules.
"""

from datetime import datetime
from typing import Annotated

import msgspec

from contracts.ids import ConsentRequestId, ContactId, ParticipantId
from contracts.vocabulary import (
    Channel,
    ConsentScope,
    DisclosureChoice,
    Event,
    Level,
    Recipient,
    ShortText,
    Tier,
)

CONSENT_DAYS_DEFAULT = 365
"""How long a support's consent lasts once given, unless the partner asking chose shorter."""

ConsentDays = Annotated[int, msgspec.Meta(ge=1, le=CONSENT_DAYS_DEFAULT)]


class SupportContactAdded(Event, frozen=True, kw_only=True, tag="plan.support_contact_added"):
    """``adder_disclosure`` is the adding partner's own choice, made with the addition.

    None (an event from before partners chose): the adder counts as having agreed to
    everything, which the contact's own scope then narrows, as it did then; the other
    partner of such a plan counts as not asked yet, so nothing of theirs reaches the
    contact until they choose.
    """

    contact_id: ContactId
    display_name: ShortText
    relationship: ShortText
    channels: tuple[Channel, ...]
    added_by: ParticipantId
    added_by_name: str = ""
    adder_disclosure: DisclosureChoice | None = None


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
    consent_days: ConsentDays = CONSENT_DAYS_DEFAULT  # how long a yes through it lasts


class ConsentGiven(Event, frozen=True, kw_only=True, tag="plan.consent_given"):
    """``expires_at``: when the consent ends. None (from before consents ended): it lasts
    ``CONSENT_DAYS_DEFAULT`` days from ``at``, like any consent given without a choice."""

    contact_id: ContactId
    scope: ConsentScope
    at: datetime
    request_id: ConsentRequestId | None = None  # the request whose link said so; None: older
    expires_at: datetime | None = None


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


class DisclosureRequested(Event, frozen=True, kw_only=True, tag="plan.disclosure_requested"):
    """The other partner is asked whether a newly added contact may learn about them.

    Nothing of theirs reaches the contact until they agree (``DisclosureChosen``). Their
    channels are copied for the notifier, which sends the question from this event alone.
    """

    contact_id: ContactId
    partner_id: ParticipantId
    partner_name: str = ""
    contact_name: ShortText
    channels: tuple[Channel, ...] = ()
    requested_by: ParticipantId
    requested_by_name: str = ""
    at: datetime


class DisclosureChosen(Event, frozen=True, kw_only=True, tag="plan.disclosure_chosen"):
    """A partner set their own choice about a contact (see ``DisclosureChoice``)."""

    contact_id: ContactId
    partner_id: ParticipantId
    choice: DisclosureChoice
    at: datetime


class ConsentExpiring(Event, frozen=True, kw_only=True, tag="plan.consent_expiring"):
    """The partners are told, ahead of time, that a contact's consent ends at ``expires_at``.

    ``partners`` are the plan's partners with the channels they had when told.
    """

    contact_id: ContactId
    contact_name: ShortText
    expires_at: datetime
    partners: tuple[Recipient, ...]
    at: datetime
