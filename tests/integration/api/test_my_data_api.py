"""GET /v1/participants/me/export: everything Tandem holds about the caller, and nothing of
their partner's that is not shared; GET /v1/participants/me/disclosures pages."""

from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from common.ids import new_id
from planner.domain.my_data import EXPORT_FORMAT, Export
from planner.store import accounts
from tests.support.api import activate, add_support, assert_problem, couple

pytestmark = pytest.mark.integration

OPERATOR = {"Authorization": "Bearer tdm_o_export"}


async def test_the_export_holds_what_is_mine_and_nothing_private_of_my_partner(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    alex, sam = plan.first, plan.second
    base = f"/v1/plans/{plan.plan_id}"
    channels = [{"kind": "email", "address": "alex@example.org"}]
    saved = await client.put(
        "/v1/participants/me/channels", json={"channels": channels}, headers=alex.auth
    )
    assert saved.status_code == 200, saved.text
    for person, text in ((alex, "alex-sign"), (sam, "sam-sign")):
        made = await client.post(
            f"{base}/warning-signs",
            json={"category": "sleep", "description": text},
            headers=person.auth,
        )
        assert made.status_code == 201, made.text
        checked = await client.post(
            f"{base}/check-ins",
            json={"mood": 2, "craving": 3, "note": f"{text}-check-in"},
            headers=person.auth,
        )
        assert checked.status_code == 201, checked.text
    jo, _ = await add_support(client, plan, "Jo")
    for person, reason in ((alex, "alex-private-reason"), (sam, "sam-private-reason")):
        listed = await client.post(
            "/v1/participants/me/do-not-involve",
            json={"kind": "email", "address": f"{reason}@example.org", "reason": reason},
            headers=person.auth,
        )
        assert listed.status_code == 201, listed.text
    activation_id = (await activate(client, plan, note="alex-activation-note"))["activation_id"]
    operator_id = new_id()
    await accounts.add_operator(db_pool, operator_id, "on call", "tdm_o_export")
    assert (await client.get(base, headers=OPERATOR)).status_code == 200

    answer = await client.get("/v1/participants/me/export", headers=alex.auth)

    assert answer.status_code == 200, answer.text
    exported = msgspec.json.decode(answer.content, type=Export)
    assert exported.format == EXPORT_FORMAT
    assert exported.account.participant_id == UUID(alex.participant_id)
    assert exported.account.display_name == "Alex"
    assert [c.address for c in exported.account.channels] == ["alex@example.org"]
    [token] = exported.account.tokens
    assert token.expires_at > token.created_at
    assert alex.token not in answer.text  # its metadata, never the token
    [mine] = exported.plans
    assert mine.plan_id == UUID(plan.plan_id)
    assert [s.description for s in mine.signs] == ["alex-sign"]
    assert [c.note for c in mine.check_ins] == ["alex-sign-check-in"]
    assert [str(a.activation_id) for a in mine.activations] == [activation_id]
    assert mine.activations[0].note == "alex-activation-note"
    assert [(c.contact_id, c.alert) for c in mine.disclosure_choices] == [(UUID(jo), True)]
    assert [(e.address, e.reason) for e in exported.do_not_involve] == [
        ("alex-private-reason@example.org", "alex-private-reason")
    ]
    assert [(r.operator_id, r.operation) for r in exported.operator_reads] == [
        (operator_id, "GET /v1/plans/{plan_id}")
    ]
    listed = await client.get("/v1/participants/me/disclosures", headers=alex.auth)
    assert msgspec.json.encode(exported.disclosures) == msgspec.json.encode(
        listed.json()["disclosures"]
    )
    for private in ("sam-private-reason", "sam-sign-check-in", "sam-sign", sam.token):
        assert private not in answer.text

    theirs = msgspec.json.decode(
        (await client.get("/v1/participants/me/export", headers=sam.auth)).content, type=Export
    )
    assert [s.description for s in theirs.plans[0].signs] == ["sam-sign"]
    assert theirs.plans[0].activations == []
    assert theirs.plans[0].disclosure_choices == []  # Sam was asked and has not chosen
    assert [e.reason for e in theirs.do_not_involve] == ["sam-private-reason"]


async def test_disclosures_refuse_a_limit_out_of_range_and_an_operator(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    empty = await client.get("/v1/participants/me/disclosures", headers=plan.first.auth)
    assert empty.json() == {"disclosures": [], "next_after": None}
    too_many = await client.get(
        "/v1/participants/me/disclosures?limit=501", headers=plan.first.auth
    )
    assert_problem(too_many, 422)
    await accounts.add_operator(db_pool, new_id(), "on call", "tdm_o_export")
    for path in ("/v1/participants/me/disclosures", "/v1/participants/me/export"):
        assert_problem(await client.get(path, headers=OPERATOR), 403)
