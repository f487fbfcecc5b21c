"""Support contacts and escalation policies, edited by partners."""

from uuid import UUID

from litestar import Response, delete, post, put
from litestar.params import FromPath, JSONBody

from common.ids import new_id
from common.links import consent_link
from contracts.ids import ContactId
from contracts.vocabulary import Tier
from planner.api.channels import shown_once, to_channels
from planner.api.commands import now, versioned
from planner.api.deps import PartnerDep, SettingsDep
from planner.api.schemas import (
    EscalationPolicyIn,
    EscalationSaved,
    NewSupport,
    SupportAdded,
    SupportRemoved,
)
from planner.domain.commands import AddSupportContact, RemoveSupportContact, SetEscalationPolicy
from planner.settings import Settings


def consent_url(settings: Settings, plan_id: UUID, contact_id: UUID) -> str:
    return consent_link(settings.secret_key, settings.base_url, plan_id, contact_id)


@post("/v1/plans/{plan_id:str}/supports", status_code=201, tags=["supports"])
async def add_support(
    partner: PartnerDep, data: JSONBody[NewSupport], settings: SettingsDep
) -> Response[SupportAdded]:
    """Add a support contact. They are never alerted until they consent at ``consent_url``."""
    contact_id = ContactId(new_id())
    command = AddSupportContact(
        now=now(),
        actor=partner.participant_id,
        contact_id=contact_id,
        display_name=data.display_name.strip(),
        relationship=data.relationship.strip(),
        channels=await to_channels(data.channels, settings),
    )
    added = versioned(
        SupportAdded,
        contact_id=contact_id,
        consent_url=consent_url(settings, partner.plan_id, contact_id),
        channels=shown_once(settings, contact_id, command.channels),
    )
    return await partner.run(command, added)


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
