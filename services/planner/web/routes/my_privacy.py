"""My privacy: who must never be told about me (my "do not involve" list, with reasons only I
read), every message that told someone something about me, and all my data as a download.

The same stores and rules as the JSON API's ``/v1/participants/me/…`` routes, for the
signed-in participant only: nobody reads or changes another person's list here.
"""

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from common.ids import new_id
from planner.api.commands import now
from planner.api.deps import PoolDep
from planner.api.errors import ResourceNotFound
from planner.api.privacy_schemas import DoNotInvolveIn
from planner.api.routes.privacy import entry_out
from planner.domain.privacy import listed_key
from planner.store import disclosure_reads, do_not_involve, exports
from planner.web import acting, session

Req = Request[Any, Any, Any]
PAGE = "/me/privacy"
SHOWN = 200  # the newest disclosures on the page; the download holds every one


@get(PAGE, include_in_schema=False)
async def privacy_page(request: Req, pool: PoolDep) -> Template:
    me = await session.signed_in(request, pool)
    listed = [entry_out(e) for e in await do_not_involve.entries(pool, me.participant_id)]
    told = await disclosure_reads.disclosures_of(pool, me.participant_id)
    context = {
        "me": me,
        "listed": listed,
        "told": list(reversed(told))[:SHOWN],
        "more": max(0, len(told) - SHOWN),
        "saved": request.query_params.get("saved", ""),
    }
    return Template(template_name="my_privacy.html", context=context)


@post(PAGE + "/do-not-involve", include_in_schema=False)
async def add_listed(request: Req, pool: PoolDep) -> Redirect:
    """Someone who must never be told about me; listing an address again replaces its reason."""
    me = await session.signed_in(request, pool)
    form = await acting.form_of(request)
    fields = {k: acting.text(form, k, limit=500) for k in ("kind", "address", "reason")}
    entry = acting.parsed(DoNotInvolveIn, fields)
    key = listed_key(entry.kind, entry.address)
    await do_not_involve.add(pool, new_id(), me.participant_id, key, entry.reason.strip())
    return acting.see_other(PAGE + "?saved=1#do-not-involve")


@post(PAGE + "/do-not-involve/{entry_id:uuid}/remove", include_in_schema=False)
async def remove_listed(request: Req, entry_id: FromPath[UUID], pool: PoolDep) -> Redirect:
    me = await session.signed_in(request, pool)
    if not await do_not_involve.remove(pool, me.participant_id, entry_id):
        raise ResourceNotFound(f"entry {entry_id} is not on your list")
    return acting.see_other(PAGE + "?saved=1#do-not-involve")


@get("/me/export", include_in_schema=False)
async def export_download(request: Req, pool: PoolDep) -> Response[bytes]:
    """Everything Tandem holds about me, the JSON of ``GET /v1/participants/me/export``, as a
    file to keep; never stored by a browser or a proxy on the way."""
    me = await session.signed_in(request, pool)
    document = await exports.export(pool, me.participant_id, now())
    return Response(
        content=msgspec.json.encode(document),
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="tandem-my-data.json"',
            "Cache-Control": "no-store",
        },
    )
