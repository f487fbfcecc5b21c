"""Support contacts and escalation policies, edited by partners.

A contact's consent request goes to their own channels only (the notifier sends it, with
a link for that request); no answer here ever carries that link.
"""

from collections.abc import Callable
from uuid import UUID

import msgspec
from litestar import Response, delete, post, put
from litestar.params import FromPath, JSONBody

from contracts.ids import ContactId
from planner.api import people_commands
from planner.api.channels import channels_out, with_secrets
from planner.api.commands import Secrets, now, versioned
from planner.api.deps import PartnerDep, PoolDep, SettingsDep
from planner.api.schemas import (
    ConsentRequestSent,
    EscalationPolicyIn,
    EscalationSaved,
    NewSupport,
    SupportAdded,
    SupportRemoved,
)
from planner.domain.commands import (
    RemoveSupportContact,
)
from planner.settings import Settings


@post("/v1/plans/{plan_id:str}/supports", status_code=201, tags=["supports"])
async def add_support(
    partner: PartnerDep, data: JSONBody[NewSupport], settings: SettingsDep, pool: PoolDep
) -> Response[SupportAdded]:
    """Add a support contact and ask them, on their own channels, whether they agree.

    They are never alerted until they consent through the link in that message. Your own
    choice (``disclosure``) is recorded with them; your partner is asked for theirs, and
    nothing of your partner's reaches the contact until they agree. A contact whose
    address is on either partner's "do not involve" list is refused (409).
    """
    at = now()
    command = await people_commands.add_support(
        pool, settings, partner.plan_id, partner.participant_id, data, at
    )
    added = versioned(
        SupportAdded,
        contact_id=command.contact_id,
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
    partner: PartnerDep,
    contact_id: FromPath[UUID],
    settings: SettingsDep,
) -> Response[ConsentRequestSent]:
    """Ask a contact again: when they declined, withdrew, or let the last request expire,
    or to renew a consent that ends within 30 days (or has ended).

    A new link goes to their own channels; the links they had before stop working. A yes
    through it lasts as long as the last request said.
    """
    command = people_commands.request_consent(settings, partner.participant_id, contact_id, now())
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
    command = people_commands.escalation_policy(partner.participant_id, data, now())
    return await partner.run(command, versioned(EscalationSaved, level=data.level))
