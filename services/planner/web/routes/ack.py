"""The acknowledge page a recipient opens from an alert: who asked, how to reach them, and
one large "I'm on it" button.

The link is the recipient's capability, as for ``POST /v1/acks/{token}``. A GET only shows
(mail scanners and link previews fetch links); the button's POST acknowledges. The page
then says so, and says when someone else answered first or the request was closed: the
all-clear message links here too.
"""

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from common import capabilities
from common.capabilities import Capability, ExpiredCapability, InvalidCapability
from common.links import ACK_LINK_AFTER_RESOLUTION
from contracts.ids import ActivationId, RecipientId
from contracts.vocabulary import Recipient
from planner import handlers
from planner.api.commands import now
from planner.api.deps import PoolDep, SettingsDep
from planner.api.errors import ResourceNotFound
from planner.domain.commands import AcknowledgeActivation
from planner.domain.state import Activation, PlanState
from planner.settings import Settings
from planner.web import acting
from planner.web.ack_view import ack_view

PAGE = "/ack/{token:str}"


def _link(settings: Settings, token: str) -> Capability:
    capability = capabilities.verify_signature(settings.secret_key, token, "ack")
    if capability.activation_id is None:
        raise InvalidCapability("malformed link")
    return capability


async def _activation(pool: Any, capability: Capability) -> tuple[PlanState, Activation, Recipient]:
    state = await handlers.load(pool, capability.plan_id)
    activation = None
    if state is not None and capability.activation_id is not None:
        activation = state.activations.get(ActivationId(capability.activation_id))
    recipient = None
    if activation is not None:
        recipient = next(
            (r for r in activation.recipients if r.recipient_id == capability.subject_id), None
        )
    if state is None or activation is None or recipient is None:
        raise ResourceNotFound("this request for help is not known here")
    return state, activation, recipient


@get(PAGE, include_in_schema=False)
async def ack_page(
    request: Request[Any, Any, Any], token: FromPath[str], pool: PoolDep, settings: SettingsDep
) -> Template:
    capability = _link(settings, token)
    state, activation, recipient = await _activation(pool, capability)
    at = now()
    expired = capability.expires_at is not None and capability.expires_at <= at.timestamp()
    resolved_at = activation.resolved_at
    # A day after the request was closed the link is spent: the page then shows nothing of
    # the person who asked (what it showed was for helping, and help is no longer asked).
    spent = resolved_at is not None and at >= resolved_at + ACK_LINK_AFTER_RESOLUTION
    context = {
        "token": token,
        "view": ack_view(state, activation, recipient),
        "name": recipient.display_name,
        "expired": expired or spent,
        "spent": spent,
    }
    return Template(template_name="ack.html", context=context)


@post(PAGE, include_in_schema=False)
async def ack(
    request: Request[Any, Any, Any], token: FromPath[str], pool: PoolDep, settings: SettingsDep
) -> Redirect:
    """I'm on it: acknowledged as the link's recipient (twice changes nothing)."""
    try:
        capability = capabilities.verify(settings.secret_key, token, "ack", now())
    except ExpiredCapability:
        return acting.see_other(f"/ack/{token}")  # the page says the link has expired
    if capability.activation_id is None:
        raise InvalidCapability("malformed link")
    _, activation, _ = await _activation(pool, capability)
    if activation.is_open:  # closed meanwhile: the page says so, nothing to acknowledge
        command = AcknowledgeActivation(
            now=now(),
            activation_id=ActivationId(capability.activation_id),
            by=RecipientId(capability.subject_id),
        )
        actor = f"recipient:{capability.subject_id}"
        await acting.run(pool, request, capability.plan_id, command, actor)
    return acting.see_other(f"/ack/{token}")
