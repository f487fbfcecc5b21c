"""Where to reach me: the e-mail address and phone number a partner's alerts go to."""

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from contracts.vocabulary import ChannelKind
from planner.api.channels import to_channels
from planner.api.deps import PoolDep, SettingsDep
from planner.api.schemas import ChannelsIn
from planner.store import accounts
from planner.web import acting, session

Req = Request[Any, Any, Any]


@get("/me", include_in_schema=False)
async def me_page(request: Req, pool: PoolDep) -> Template:
    me = await session.signed_in(request, pool)
    channels = (await accounts.channels_of(pool, me.participant_id)) or ()
    by_kind = {c.kind.value: c.address for c in channels}
    saved = request.query_params.get("saved") == "1"
    return Template(template_name="me.html", context={"me": me, "by_kind": by_kind, "saved": saved})


@post("/me/channels", include_in_schema=False)
async def save_channels(request: Req, pool: PoolDep, settings: SettingsDep) -> Redirect:
    """Replace my channels with the e-mail address and phone number given (either may be empty)."""
    me = await session.signed_in(request, pool)
    form = await acting.form_of(request)
    wanted = [
        {"kind": kind.value, "address": acting.text(form, kind.value, limit=320)}
        for kind in (ChannelKind.EMAIL, ChannelKind.SMS)
        if acting.text(form, kind.value, limit=320)
    ]
    channels = acting.parsed(ChannelsIn, {"channels": wanted})
    await accounts.set_channels(
        pool, me.participant_id, await to_channels(channels.channels, settings)
    )
    return acting.see_other("/me?saved=1")
