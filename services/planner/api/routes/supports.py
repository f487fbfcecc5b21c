"""Support contacts and escalation policies, edited by partners.

A contact's consent request goes to their own channels only (the notifier sends it, with
a link for that request); no answer here ever carries that link.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

import msgspec
from litestar import Response, delete, post, put
from litestar.params import FromPath, JSONBody

from common.ids import new_id
from contracts.ids import ConsentRequestId, ContactId
from contracts.vocabulary import Tier
from planner.api.channels import channels_out, to_channels, with_secrets
from planner.api.commands import Secrets, now, versioned
from planner.api.deps import PartnerDep, SettingsDep
from planner.api.schemas import (
    ConsentRequestSent,
    EscalationPolicyIn,
    EscalationSaved,
    NewSupport,
    SupportAdded,
    SupportRemoved,
)
from planner.domain.commands import (
    AddSupportContact,
    RemoveSupportContact,
    RequestConsent,
    SetEscalationPolicy,
)
from planner.settings import Settings


def consent_until(settings: Settings, at: datetime) -> datetime:
    return at + timedelta(seconds=settings.consent_link_seconds)


@post("/v1/plans/{plan_id:str}/supports", status_code=201, tags=["supports"])
async def add_support(
    partner: PartnerDep, data: JSONBody[NewSupport], settings: SettingsDep
) -> Response[SupportAdded]:
    """Add a support contact and ask them, on their own channels, whether they agree.

    They are never alerted until they consent through the link in that message.
    """
    contact_id, at = ContactId(new_id()), now()
    command = AddSupportContact(
        now=at,
        actor=partner.participant_id,
        contact_id=contact_id,
        display_name=data.display_name.strip(),
        relationship=data.relationship.strip(),
        channels=await to_channels(data.channels, settings),
        request_id=ConsentRequestId(new_id()),
        request_expires_at=consent_until(settings, at),
    )
    added = versioned(
        SupportAdded,
        contact_id=contact_id,
        consent_requested_until=command.request_expires_at,
        channels=channels_out(command.channels),
    )
    return await partner.run(command, added, Secrets(SupportAdded, _webhook_secrets(settings)))


def _webhook_secrets(settings: Settings) -> Callable[[SupportAdded], SupportAdded]:
    def reveal(added: SupportAdded) -> SupportAdded:
        channels = with_secrets(settings, added.contact_id, added.channels)
        return msgspec.structs.replace(added, channels=channels)

    return reveal


@post(
    "/v1/plans/{plan_id:str}/supports/{contact_id:str}/consent-requests",
    status_code=201,
    tags=["supports"],
)
async def ask_again(
    partner: PartnerDep, contact_id: FromPath[UUID], settings: SettingsDep
) -> Response[ConsentRequestSent]:
    """Ask a contact again, when they declined, withdrew, or let the last request expire.

    A new link goes to their own channels; the links they had before stop working.
    """
    at = now()
    command = RequestConsent(
        now=at,
        actor=partner.participant_id,
        contact_id=ContactId(contact_id),
        request_id=ConsentRequestId(new_id()),
        expires_at=consent_until(settings, at),
    )
    sent = versioned(
        ConsentRequestSent, contact_id=contact_id, consent_requested_until=command.expires_at
    )
    return await partner.run(command, sent)


@delete("/v1/plans/{plan_id:str}/supports/{contact_id:str}", status_code=200, tags=["supports"])
async def remove_support(
    partner: PartnerDep, contact_id: FromPath[UUID]
) -> Response[SupportRemoved]:
    """Remove a support contact: they are no longer a recipient of any new activation."""
    command = RemoveSupportContact(
        now=now(), actor=partner.participant_id, contact_id=ContactId(contact_id)
    )
    return await partner.run(command, versioned(SupportRemoved, contact_id=contact_id))


@put("/v1/plans/{plan_id:str}/escalation", tags=["supports"])
async def set_escalation(
    partner: PartnerDep, data: JSONBody[EscalationPolicyIn]
) -> Response[EscalationSaved]:
    """Set a level's ordered tiers of contacts, each with an acknowledgement timeout."""
    command = SetEscalationPolicy(
        now=now(),
        actor=partner.participant_id,
        level=data.level,
        tiers=tuple(
            Tier(
                contact_ids=tuple(ContactId(c) for c in tier.contact_ids),
                ack_timeout_seconds=tier.ack_timeout_seconds,
            )
            for tier in data.tiers
        ),
    )
    return await partner.run(command, versioned(EscalationSaved, level=data.level))
