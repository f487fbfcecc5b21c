"""The commands that disclose people, built once for the JSON API and the pages alike.

Adding a support contact and asking for help need more than the request: the partners'
channels, and the "do not involve" lists that override every other choice. A route or a
page that built these commands itself could forget a list and tell someone who must never
be told, so both build them here.
"""

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

from common.ids import new_id
from contracts.ids import ActivationId, ConsentRequestId, ContactId, ParticipantId, SignId
from contracts.vocabulary import Channel, DisclosureChoice, Tier
from planner.api.channels import to_channels
from planner.api.privacy_schemas import DisclosureChange
from planner.api.schemas import EscalationPolicyIn, NewActivation, NewSupport
from planner.domain.commands import (
    ActivatePlan,
    AddSupportContact,
    RequestConsent,
    SetDisclosure,
    SetEscalationPolicy,
)
from planner.settings import Settings
from planner.store import accounts, do_not_involve

PartnerChannels = dict[ParticipantId, tuple[Channel, ...]]


def consent_until(settings: Settings, at: datetime) -> datetime:
    """Until when a consent request's link can be answered."""
    return at + timedelta(seconds=settings.consent_link_seconds)


def request_consent(
    settings: Settings, actor: ParticipantId, contact_id: UUID, at: datetime
) -> RequestConsent:
    """Ask a contact again, with a new link that lasts as a consent request's link does."""
    return RequestConsent(
        now=at,
        actor=actor,
        contact_id=ContactId(contact_id),
        request_id=ConsentRequestId(new_id()),
        expires_at=consent_until(settings, at),
    )


async def add_support(
    pool: asyncpg.Pool,
    settings: Settings,
    plan_id: UUID,
    actor: ParticipantId,
    data: NewSupport,
    at: datetime,
) -> AddSupportContact:
    """Add a contact: refused if their address is on either partner's list."""
    partners = await accounts.partner_channels(pool, plan_id)
    return AddSupportContact(
        now=at,
        actor=actor,
        contact_id=ContactId(new_id()),
        display_name=data.display_name.strip(),
        relationship=data.relationship.strip(),
        channels=await to_channels(data.channels, settings),
        request_id=ConsentRequestId(new_id()),
        request_expires_at=consent_until(settings, at),
        adder_disclosure=data.disclosure.choice(),
        consent_days=data.consent_days,
        do_not_involve=await do_not_involve.keys(pool, list(partners)),
        partner_channels=partners,
    )


async def activate(
    pool: asyncpg.Pool,
    actor: ParticipantId,
    data: NewActivation,
    at: datetime,
    partners: PartnerChannels,
) -> ActivatePlan:
    """Ask for help: nobody on the activating partner's own list hears about them."""
    listed = await do_not_involve.keys(pool, [actor])
    return ActivatePlan(
        partner_channels=partners,
        do_not_involve=frozenset(listed),
        now=at,
        actor=actor,
        activation_id=ActivationId(new_id()),
        level=data.level,
        observed_sign_ids=tuple(SignId(s) for s in dict.fromkeys(data.observed_sign_ids)),
        note=data.note.strip(),
    )


def set_disclosure(
    actor: ParticipantId, contact_id: ContactId, data: DisclosureChange, at: datetime
) -> SetDisclosure:
    """A partner's own choice about one contact: whether they may be alerted when this
    partner asks for help, and what of theirs an alert may show."""
    choice = DisclosureChoice(
        alert=data.alert, share_signs=data.share_signs, share_note=data.share_note
    )
    return SetDisclosure(now=at, actor=actor, contact_id=contact_id, choice=choice)


def escalation_policy(
    actor: ParticipantId, data: EscalationPolicyIn, at: datetime
) -> SetEscalationPolicy:
    """A level's ordered tiers of contacts, each with the seconds to wait for an answer."""
    tiers = tuple(
        Tier(
            contact_ids=tuple(ContactId(c) for c in tier.contact_ids),
            ack_timeout_seconds=tier.ack_timeout_seconds,
        )
        for tier in data.tiers
    )
    return SetEscalationPolicy(now=at, actor=actor, level=data.level, tiers=tiers)
