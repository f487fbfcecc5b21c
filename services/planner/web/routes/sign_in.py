"""Signing in on another device: a one-time link, sent to one of the partner's own channels.

Asking for a link answers the same whatever the address (nobody learns who has an
account). The link is a signed capability (``common.links.sign_in_link``) naming the
partner, the plan whose history records the request, and an expiry 15 minutes on; the
notifier sends it (``plan.sign_in_link_requested``). Opening it only shows a button (mail
scanners fetch links); the button's POST takes the link once and opens a session.
"""

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from common import capabilities
from common.capabilities import Capability, ExpiredCapability
from common.channels import addresses
from common.ids import new_id
from common.links import SIGN_IN_LINK_LIFETIME
from planner.api.commands import now
from planner.api.deps import PoolDep, SettingsDep
from planner.domain.commands import RequestSignInLink
from planner.store import accounts, page_sessions, read_models
from planner.web import acting, session
from planner.web.errors import error_page

Req = Request[Any, Any, Any]
LINK_LIFETIME = SIGN_IN_LINK_LIFETIME
LINK_EVERY_SECONDS = 60.0  # at most one link a minute per partner
PAGE = "/sign-in/{token:str}"
USED = "This sign-in link was used already: each one works once. Ask for a new one."
EXPIRED = "This sign-in link has expired (they work for 15 minutes). Ask for a new one."


@post("/sign-in/link", include_in_schema=False)
async def send_link(request: Req, pool: PoolDep) -> Template:
    """Send a link to the address, if it is one of a partner's channels; say the same either way."""
    form = await acting.form_of(request)
    text = acting.text(form, "address", limit=320)
    address = addresses.email_address(text) if "@" in text else addresses.phone_number(text)
    participant = await page_sessions.participant_by_address(pool, address) if address else None
    plans = (
        [] if participant is None else await read_models.plans_of(pool, participant.participant_id)
    )
    channels = (
        ()
        if participant is None
        else await accounts.channels_of(pool, participant.participant_id) or ()
    )
    channel = next((c for c in channels if c.address == address), None)
    if (
        participant is not None
        and plans
        and channel is not None
        and not await page_sessions.link_sent_lately(
            pool, plans[0], participant.participant_id, LINK_EVERY_SECONDS
        )
    ):
        command = RequestSignInLink(
            now=now(),
            actor=participant.participant_id,
            link_id=new_id(),
            display_name=participant.display_name,
            channel=channel,
            expires_at=now() + LINK_LIFETIME,
        )
        await acting.run(pool, request, plans[0], command, "visitor:sign-in-link")
    return Template(template_name="sign_in_sent.html", context={})


def _link(settings: Any, token: str) -> Capability:
    return capabilities.verify_signature(settings.secret_key, token, "sign-in")


@get(PAGE, include_in_schema=False)
async def link_page(
    request: Req, token: FromPath[str], pool: PoolDep, settings: SettingsDep
) -> Response[Any]:
    capability = _link(settings, token)
    if capability.expires_at is not None and capability.expires_at <= now().timestamp():
        return error_page(request, 410, EXPIRED)
    if await page_sessions.sign_in_link_used(pool, token):
        return error_page(request, 410, USED)
    return Template(template_name="sign_in_link.html", context={"token": token})


@post(PAGE, include_in_schema=False)
async def take_link(
    request: Req, token: FromPath[str], pool: PoolDep, settings: SettingsDep
) -> Response[Any]:
    """Sign in on this device, once per link."""
    try:
        capability = capabilities.verify(settings.secret_key, token, "sign-in", now())
    except ExpiredCapability:
        return error_page(request, 410, EXPIRED)
    if not await page_sessions.take_sign_in_link(pool, token, capability.subject_id):
        return error_page(request, 410, USED)
    redirect = acting.see_other("/")
    await session.sign_in(redirect, pool, settings, capability.subject_id)
    return redirect
