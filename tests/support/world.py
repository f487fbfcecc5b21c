"""One of everything the API knows, built through the API: for tests that call every operation.

Two plans with two partners each (``plan``: Alex and Sam; ``other_plan``: Kim and Lee), a
plan Alex keeps alone with an open invite (``lone_plan``), on ``plan``: signs, steps, three
support contacts (Jo consented, and Sam agreed that Jo may learn about them too; Max is
asked and has not answered; Ari, to be removed), and an open activation that Sam started,
so Alex and Jo are its recipients. The links support contacts receive: Max's consent link
and Jo's acknowledge link. An operator's token, a second token of Alex's, and an entry on
Alex's "do not involve" list.
"""

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
import msgspec

from common.ids import new_id
from common.links import ack_link
from planner.settings import Settings
from planner.store import accounts
from tests.support.api import Couple, Person, activate, add_support, agree, couple, create_plan

OPERATOR_TOKEN = "tdm_o_world_operator"


class World(msgspec.Struct, kw_only=True):
    plan: Couple
    other_plan: Couple
    lone_plan_id: str
    invite_code: str
    sign_ids: list[str]  # [to revise, to retire]
    step_ids: list[str]  # [to revise, to remove]
    contact_id: str  # Jo, who consented
    asked_contact_id: str  # Max, asked, no answer yet
    removable_contact_id: str  # Ari
    activation_id: str  # open, started by Sam: Alex and Jo are recipients
    consent_token: str  # Max's
    ack_token: str  # Jo's, for the activation
    spare_token_id: str  # a second token of Alex's, to revoke
    do_not_involve_entry_id: str  # on Alex's own list
    operator_token: str = OPERATOR_TOKEN

    @property
    def partner(self) -> Person:
        return self.plan.first

    @property
    def stranger(self) -> Person:
        """A partner, but of the other plan."""
        return self.other_plan.first


async def build(client: Any, pool: asyncpg.Pool, settings: Settings) -> World:
    """The world, made through ``client`` (any httpx-style async client on the planner)."""
    plan = await couple(client)
    other_plan = await couple(client)
    lone_plan_id = await create_plan(client, plan.first, "Alex's own")
    invite = await client.post(f"/v1/plans/{lone_plan_id}/partner-invites", headers=plan.first.auth)
    assert invite.status_code == 201, invite.text
    contact_id, _ = await add_support(client, plan, "Jo", secret=settings.secret_key)
    await agree(client, plan, contact_id, plan.second)
    asked_contact_id, consent_path = await add_support(
        client, plan, "Max", consent=None, secret=settings.secret_key
    )
    removable_contact_id, _ = await add_support(
        client, plan, "Ari", consent=None, secret=settings.secret_key
    )
    sign_ids = [await _made(client, plan, "warning-signs", sign) for sign in SIGNS]
    step_ids = [await _made(client, plan, "response-steps", step) for step in STEPS]
    started = await activate(
        client, Couple(plan_id=plan.plan_id, first=plan.second, second=plan.first)
    )
    activation_id: str = started["activation_id"]
    spare = await client.post("/v1/participants/me/tokens", headers=plan.first.auth)
    assert spare.status_code == 201, spare.text
    await accounts.add_operator(pool, new_id(), "world", OPERATOR_TOKEN)
    listed = await client.post(
        "/v1/participants/me/do-not-involve",
        json={"kind": "sms", "address": "+15550100999", "reason": "an ex"},
        headers=plan.first.auth,
    )
    assert listed.status_code == 201, listed.text
    link = ack_link(
        settings.secret_key,
        settings.base_url,
        UUID(plan.plan_id),
        UUID(activation_id),
        UUID(contact_id),
        datetime.now(UTC) + timedelta(days=1),
    )
    return World(
        plan=plan,
        other_plan=other_plan,
        lone_plan_id=lone_plan_id,
        invite_code=invite.json()["invite_code"],
        sign_ids=sign_ids,
        step_ids=step_ids,
        contact_id=contact_id,
        asked_contact_id=asked_contact_id,
        removable_contact_id=removable_contact_id,
        activation_id=activation_id,
        consent_token=consent_path.rsplit("/", 1)[-1],
        ack_token=urlsplit(link).path.rsplit("/", 1)[-1],
        spare_token_id=spare.json()["token_id"],
        do_not_involve_entry_id=listed.json()["entry_id"],
    )


SIGNS = [
    {"category": "sleep", "description": "up past two"},
    {"category": "money", "description": "cash withdrawals"},
]
STEPS = [
    {"level": "watch", "description": "call each other"},
    {"level": "setback", "description": "go to a meeting together"},
]


async def _made(client: Any, plan: Couple, kind: str, body: dict[str, Any]) -> str:
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/{kind}", json=body, headers=plan.first.auth
    )
    assert answer.status_code == 201, answer.text
    made: str = answer.json()["sign_id" if kind == "warning-signs" else "step_id"]
    return made
