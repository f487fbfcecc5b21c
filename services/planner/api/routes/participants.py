"""Participants: anyone may register; the bearer token is shown once."""

import secrets

from litestar import get, post, put
from litestar.params import JSONBody

from common.ids import new_id
from planner.api.auth import require_participant
from planner.api.channels import shown_once, to_channels
from planner.api.deps import PoolDep, PrincipalDep, SettingsDep
from planner.api.schemas import ChannelsIn, ChannelsSaved, NewParticipant, ParticipantCreated
from planner.store import accounts, read_models, tokens
from planner.store.accounts import Participant

TOKEN_PREFIX = "tdm_p_"  # noqa: S105 - a prefix, not a secret


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@post("/v1/participants", status_code=201, tags=["participants"])
async def register(
    data: JSONBody[NewParticipant], pool: PoolDep, settings: SettingsDep
) -> ParticipantCreated:
    """Register a participant. The token in the answer is shown only this once.

    It expires after TANDEM_TOKEN_DAYS (90 by default) without use; each use moves
    ``expires_at`` on (see ``GET /v1/participants/me/tokens``).
    """
    participant_id, token_id, token = new_id(), new_id(), new_token()
    name, lifetime = data.display_name.strip(), settings.token_lifetime
    expires_at = await tokens.register(
        pool, participant_id, name, token_id=token_id, token=token, lifetime=lifetime
    )
    return ParticipantCreated(
        participant_id=participant_id, token=token, token_id=token_id, expires_at=expires_at
    )


class Me(Participant, frozen=True, kw_only=True):
    plan_ids: list[str]


@get("/v1/participants/me", tags=["participants"])
async def me(principal: PrincipalDep, pool: PoolDep) -> Me:
    """Who the token belongs to, and the plans they are a partner of."""
    participant = require_participant(principal)
    plans = await read_models.plans_of(pool, participant.participant_id)
    return Me(
        participant_id=participant.participant_id,
        display_name=participant.display_name,
        plan_ids=[str(plan_id) for plan_id in plans],
    )


@put("/v1/participants/me/channels", tags=["participants"])
async def set_my_channels(
    data: JSONBody[ChannelsIn], principal: PrincipalDep, pool: PoolDep, settings: SettingsDep
) -> ChannelsSaved:
    """Where to reach you when your partner asks for help. Replaces your channels.

    A webhook's signing secret is in this answer only: keep it to verify our signatures.
    """
    participant = require_participant(principal)
    channels = await to_channels(data.channels, settings)
    await accounts.set_channels(pool, participant.participant_id, channels)
    return ChannelsSaved(
        participant_id=participant.participant_id,
        channels=shown_once(settings, participant.participant_id, channels),
    )
