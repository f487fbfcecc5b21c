"""Activations: a partner asks for help; recipients acknowledge; a partner resolves."""

from collections.abc import Callable
from uuid import UUID

from litestar import Response, get, post
from litestar.params import FromPath, JSONBody

from common import capabilities
from common.capabilities import WHAT_TO_DO, ExpiredCapability, InvalidCapability
from common.links import ACK_LINK_AFTER_RESOLUTION
from contracts.ids import ActivationId, RecipientId
from planner import handlers
from planner.api import content_commands, people_commands
from planner.api.auth import require_participant, require_partner, require_reader
from planner.api.commands import now, versioned
from planner.api.deps import CommandsDep, PartnerDep, PoolDep, PrincipalDep, SettingsDep
from planner.api.errors import ResourceNotFound
from planner.api.schemas import (
    ActivationChanged,
    ActivationCreated,
    NewActivation,
    RecipientOut,
    Resolution,
)
from planner.api.views import ActivationView, activation_status, activation_view
from planner.domain.commands import AcknowledgeActivation
from planner.domain.delivery_log import joined
from planner.handlers.results import CommandResult
from planner.store import accounts, event_store

ACTIVATIONS = "/v1/plans/{plan_id:str}/activations"
ONE = ACTIVATIONS + "/{activation_id:str}"


def _created(activation_id: ActivationId) -> Callable[[CommandResult], ActivationCreated]:
    """The new activation's level and recipients, as the command left them."""

    def render(result: CommandResult) -> ActivationCreated:
        activation = result.state.activations[activation_id]
        recipients = [
            RecipientOut(
                recipient_id=r.recipient_id,
                kind=r.kind.value,
                display_name=r.display_name,
                tier=r.tier,
            )
            for r in activation.recipients
        ]
        created = versioned(
            ActivationCreated,
            activation_id=activation_id,
            level=activation.level,
            recipients=recipients,
            reaches_anyone=activation.reaches_anyone,
            unreachable=list(activation.unreachable),
        )
        return created(result)

    return render


def _changed(activation_id: ActivationId) -> Callable[[CommandResult], ActivationChanged]:
    """The activation's status after the command."""

    def render(result: CommandResult) -> ActivationChanged:
        status = activation_status(result.state.activations[activation_id])
        return versioned(ActivationChanged, activation_id=activation_id, status=status)(result)

    return render


@post(ACTIVATIONS, status_code=201, tags=["activations"])
async def activate(
    plan_id: FromPath[UUID],
    data: JSONBody[NewActivation],
    principal: PrincipalDep,
    pool: PoolDep,
    commands: CommandsDep,
) -> Response[ActivationCreated]:
    """Ask for help. Send an ``Idempotency-Key`` so a retried tap never activates twice.

    ``reaches_anyone`` is false when no recipient has a channel: nobody will be alerted.
    """
    partner = require_participant(principal)
    # The partners' channels answer "is the caller a partner?" too, in the same round trip.
    channels = await accounts.partner_channels(pool, plan_id)
    if partner.participant_id not in channels:  # 404 or 403, or a partner who just joined
        await require_partner(pool, principal, plan_id)
        channels = await accounts.partner_channels(pool, plan_id)
    command = await people_commands.activate(pool, partner.participant_id, data, now(), channels)
    created = _created(command.activation_id)
    return await commands.run(plan_id, command, principal.actor, created)


@get(ONE, tags=["activations"])
async def read_activation(
    plan_id: FromPath[UUID], activation_id: FromPath[UUID], principal: PrincipalDep, pool: PoolDep
) -> ActivationView:
    """One activation: its recipients by tier, who was told on which channel, who
    acknowledged and when, the tiers escalated to, and how it ended."""
    operation = "GET /v1/plans/{plan_id}/activations/{activation_id}"
    await require_reader(pool, principal, plan_id, operation)
    state = await handlers.load(pool, plan_id)
    if state is None or ActivationId(activation_id) not in state.activations:
        raise ResourceNotFound(f"activation {activation_id} not found in this plan")
    # Its deliveries and escalations are on its own delivery stream: joined here.
    reports = await event_store.read_stream(pool, activation_id)
    state = joined(state, (envelope.event for envelope in reports))
    return activation_view(state.activations[ActivationId(activation_id)])


@post(ONE + "/acknowledge", status_code=200, tags=["activations"])
async def acknowledge(
    partner: PartnerDep, activation_id: FromPath[UUID]
) -> Response[ActivationChanged]:
    """The other partner says they are on it. Acknowledging twice changes nothing."""
    command = AcknowledgeActivation(
        now=now(),
        activation_id=ActivationId(activation_id),
        by=RecipientId(partner.participant_id),
    )
    return await partner.run(command, _changed(ActivationId(activation_id)))


@post(ONE + "/resolve", status_code=200, tags=["activations"])
async def resolve(
    partner: PartnerDep, activation_id: FromPath[UUID], data: JSONBody[Resolution]
) -> Response[ActivationChanged]:
    """Close the activation: ``resolved`` or ``false_alarm``, with an optional reflection."""
    command = content_commands.resolve(partner.participant_id, activation_id, data, now())
    return await partner.run(command, _changed(ActivationId(activation_id)))


@post("/v1/acks/{token:str}", status_code=200, tags=["activations"])
async def acknowledge_by_link(
    token: FromPath[str], settings: SettingsDep, commands: CommandsDep, pool: PoolDep
) -> Response[ActivationChanged]:
    """One tap from an alert: the recipient named by the signed link is on it.

    Acknowledging twice changes nothing; a closed activation is refused (409), and a day
    after it was resolved, or past the link's own expiry, the link has expired (410).
    """
    link = capabilities.verify(settings.secret_key, token, "ack", now())
    if link.activation_id is None:
        raise InvalidCapability("malformed link")
    activation_id = ActivationId(link.activation_id)
    state = await handlers.load(pool, link.plan_id)
    activation = None if state is None else state.activations.get(activation_id)
    resolved_at = None if activation is None else activation.resolved_at
    if resolved_at is not None and now() >= resolved_at + ACK_LINK_AFTER_RESOLUTION:
        raise ExpiredCapability(WHAT_TO_DO["ack"])
    command = AcknowledgeActivation(
        now=now(), activation_id=activation_id, by=RecipientId(link.subject_id)
    )
    actor = f"recipient:{link.subject_id}"
    return await commands.run(link.plan_id, command, actor, _changed(activation_id))
