"""A participant's own tokens: list them, add one for another device, revoke them.

A token is never shown again after the answer that made it: the list names tokens by id,
with when each was made, last used and expires. A revoked token is refused (401) from the
next request on.
"""

from datetime import datetime
from uuid import UUID

import msgspec
from litestar import delete, get, post
from litestar.params import FromPath

from common.ids import new_id
from planner.api.auth import Principal, require_participant
from planner.api.deps import PoolDep, PrincipalDep, SettingsDep
from planner.api.errors import ResourceNotFound
from planner.api.routes.participants import new_token
from planner.store import tokens

TOKENS = "/v1/participants/me/tokens"


class TokenOut(msgspec.Struct, frozen=True, kw_only=True):
    token_id: UUID
    created_at: datetime
    last_used_at: datetime  # to the hour: a token's use is recorded at most hourly
    expires_at: datetime  # after TANDEM_TOKEN_DAYS without use
    current: bool  # the token that asked


class TokenList(msgspec.Struct, frozen=True, kw_only=True):
    tokens: list[TokenOut]


class TokenIssued(msgspec.Struct, frozen=True, kw_only=True):
    token_id: UUID
    token: str  # shown once; only its hash is stored
    expires_at: datetime


class TokensRevoked(msgspec.Struct, frozen=True, kw_only=True):
    revoked: int


def _caller(principal: Principal) -> tuple[UUID, UUID]:
    """The participant and the token of the request (403 for an operator's token)."""
    participant = require_participant(principal)
    if principal.token_id is None:  # a participant is always authenticated by a token
        raise AssertionError("a participant without a token")
    return participant.participant_id, principal.token_id


@get(TOKENS, tags=["participants"])
async def list_tokens(principal: PrincipalDep, pool: PoolDep) -> TokenList:
    """Your tokens that still work, oldest first. The tokens themselves are never shown."""
    participant_id, current = _caller(principal)
    listed = await tokens.listed(pool, participant_id)
    return TokenList(
        tokens=[
            TokenOut(**msgspec.structs.asdict(info), current=info.token_id == current)
            for info in listed
        ]
    )


@post(TOKENS, status_code=201, tags=["participants"])
async def issue_token(principal: PrincipalDep, pool: PoolDep, settings: SettingsDep) -> TokenIssued:
    """A new token for another device, shown only this once."""
    participant_id, _ = _caller(principal)
    token_id, token = new_id(), new_token()
    expires_at = await tokens.issue(
        pool, participant_id, token_id=token_id, token=token, lifetime=settings.token_lifetime
    )
    return TokenIssued(token_id=token_id, token=token, expires_at=expires_at)


@delete(TOKENS, status_code=200, tags=["participants"])
async def revoke_other_tokens(principal: PrincipalDep, pool: PoolDep) -> TokensRevoked:
    """Sign out everywhere else: revoke every token of yours but the one asking.

    To sign out here as well, revoke this token by its id.
    """
    participant_id, current = _caller(principal)
    return TokensRevoked(revoked=await tokens.revoke_others(pool, participant_id, current))


@delete(TOKENS + "/{token_id:str}", status_code=200, tags=["participants"])
async def revoke_token(
    token_id: FromPath[UUID], principal: PrincipalDep, pool: PoolDep
) -> TokensRevoked:
    """Revoke one of your tokens (this one too, if you name it): 404 if you hold no such token."""
    participant_id, _ = _caller(principal)
    if not await tokens.revoke(pool, participant_id, token_id):
        raise ResourceNotFound(f"you hold no token {token_id}")
    return TokensRevoked(revoked=1)
