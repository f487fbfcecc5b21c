"""Who is signed in on this browser: a session cookie (HttpOnly, SameSite=Lax, Secure over
https) whose id is kept only as a hash (``store.page_sessions``).

A page for partners asks ``partner_of`` for the signed-in participant, checked as a partner
of the plan in the path by the same rule the JSON API applies (``api.auth``).
"""

from typing import Any
from uuid import UUID

import asyncpg
from litestar import Request, Response
from litestar.response import Redirect

from planner.api.auth import Principal, require_partner
from planner.api.commands import now
from planner.settings import Settings
from planner.store import page_sessions
from planner.store.accounts import Participant

COOKIE = "tandem_session"
Req = Request[Any, Any, Any]


class NotSignedIn(Exception):
    """A partner's page without a session: the start page signs them in."""


def to_start(request: Req, exc: NotSignedIn) -> Response[Any]:
    """Send a visitor without a session to the start page, and tell them why."""
    return Redirect(path="/?signed_out=1", status_code=303)


async def visitor(request: Req, pool: asyncpg.Pool) -> Participant | None:
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        return None
    return await page_sessions.participant_of(pool, session_id, now())


async def signed_in(request: Req, pool: asyncpg.Pool) -> Participant:
    participant = await visitor(request, pool)
    if participant is None:
        raise NotSignedIn
    return participant


async def partner_of(request: Req, pool: asyncpg.Pool, plan_id: UUID) -> Participant:
    """The signed-in participant, a partner of ``plan_id`` (404 or 403 page otherwise)."""
    participant = await signed_in(request, pool)
    await require_partner(pool, Principal(participant=participant), plan_id)
    return participant


async def sign_in(
    response: Response[Any], pool: asyncpg.Pool, settings: Settings, participant_id: UUID
) -> Response[Any]:
    """``response`` with the cookie of a new session for ``participant_id``."""
    session_id = await page_sessions.open_session(pool, participant_id, now())
    response.set_cookie(
        key=COOKIE,
        value=session_id,
        path="/",
        max_age=int(page_sessions.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


async def sign_out(request: Req, response: Response[Any], pool: asyncpg.Pool) -> Response[Any]:
    session_id = request.cookies.get(COOKIE)
    if session_id:
        await page_sessions.close_session(pool, session_id)
    response.delete_cookie(key=COOKIE, path="/")
    return response
