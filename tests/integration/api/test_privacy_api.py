"""Who may learn about whom, through the API: each partner's own choice per contact, their
private "do not involve" list, consents that end, and links that expire."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from contracts.envelope import Metadata
from contracts.ids import ActivationId, ContactId, ParticipantId
from contracts.vocabulary import ConsentScope, Outcome
from planner import handlers
from planner.domain.commands import GiveConsent, ResolveActivation
from planner.handlers import consent_ends
from planner.settings import Settings
from tests.integration.api.test_channels_and_acks_api import ack_link
from tests.support.api import (
    Couple,
    activate,
    add_support,
    agree,
    assert_problem,
    consent_link,
    couple,
)
from tests.support.builders import CHAIN_KEY

pytestmark = pytest.mark.integration

LIST = "/v1/participants/me/do-not-involve"


def swapped(plan: Couple) -> Couple:
    """The same plan, with the second partner acting."""
    return Couple(plan_id=plan.plan_id, first=plan.second, second=plan.first)


async def support(client: AsyncTestClient[Any], plan: Couple, contact_id: str) -> Any:
    view = await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)
    return next(s for s in view.json()["supports"] if s["contact_id"] == contact_id)


async def recipients_of_second(client: AsyncTestClient[Any], plan: Couple) -> set[str]:
    started = await activate(client, swapped(plan), level="crisis")
    return {r["recipient_id"] for r in started["recipients"]}


async def test_the_adder_agrees_at_once_and_the_other_partner_is_asked(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    jo, _ = await add_support(client, plan)
    shown = {d["participant_id"]: d for d in (await support(client, plan, jo))["disclosures"]}
    assert shown[plan.first.participant_id] == {
        "participant_id": plan.first.participant_id,
        "status": "agreed",
        "share_signs": False,  # nothing beyond the alert itself unless said
        "share_note": False,
    }
    assert shown[plan.second.participant_id]["status"] == "asked"

    await agree(client, plan, jo, plan.second, share_signs=True)
    shown = {d["participant_id"]: d for d in (await support(client, plan, jo))["disclosures"]}
    assert shown[plan.second.participant_id]["status"] == "agreed"
    assert shown[plan.second.participant_id]["share_signs"] is True


async def test_signs_or_a_note_without_the_alert_itself_is_refused(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    jo, _ = await add_support(client, plan)
    answer = await client.put(
        f"/v1/plans/{plan.plan_id}/supports/{jo}/disclosure",
        json={"alert": False, "share_note": True},
        headers=plan.second.auth,
    )
    assert assert_problem(answer, 422)["field"] == "alert"


async def test_a_partners_activation_reaches_a_contact_only_once_they_agreed(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    jo, _ = await add_support(client, plan)  # added by the first partner, consented
    assert jo not in await recipients_of_second(client, plan)
    await resolve_all(client, swapped(plan))

    await agree(client, plan, jo, plan.second)
    assert jo in await recipients_of_second(client, plan)
    await resolve_all(client, swapped(plan))

    await agree(client, plan, jo, plan.second, alert=False)  # changed their mind
    assert jo not in await recipients_of_second(client, plan)


async def resolve_all(client: AsyncTestClient[Any], plan: Couple) -> None:
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    for activation in view["activations"]:
        if activation["status"] in ("triggered", "acknowledged"):
            answer = await client.post(
                f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}/resolve",
                json={"outcome": "false_alarm"},
                headers=plan.first.auth,
            )
            assert answer.status_code == 200, answer.text


async def test_the_do_not_involve_list_is_private_and_overrides_every_choice(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    jo, _ = await add_support(client, plan)  # jo@example.org
    await agree(client, plan, jo, plan.second)
    reason = "they hurt me in 2019"
    listed = await client.post(
        LIST,
        json={"kind": "email", "address": " JO@Example.org ", "reason": reason},
        headers=plan.second.auth,
    )
    assert listed.status_code == 201, listed.text
    assert listed.json()["address"] == "jo@example.org"

    # The second partner's activations never reach Jo, though Jo was added before.
    assert jo not in await recipients_of_second(client, plan)
    # Only the second partner sees Jo as on their list; nobody else reads the reason.
    for partner, on_list in ((plan.second, True), (plan.first, False)):
        view = await client.get(f"/v1/plans/{plan.plan_id}", headers=partner.auth)
        [jo_view] = [s for s in view.json()["supports"] if s["contact_id"] == jo]
        assert jo_view["do_not_involve"] is on_list
        assert reason not in view.text
    assert (await client.get(LIST, headers=plan.first.auth)).json() == {"entries": []}
    [mine] = (await client.get(LIST, headers=plan.second.auth)).json()["entries"]
    assert mine["reason"] == reason

    # The first partner's activations still reach Jo: the list is about its owner.
    started = await activate(client, plan, level="setback")
    assert jo in {r["recipient_id"] for r in started["recipients"]}


@pytest.mark.parametrize("adder", ["owner", "other partner"])
async def test_adding_someone_on_either_partners_list_is_refused_without_the_reason(
    client: AsyncTestClient[Any], adder: str
) -> None:
    plan = await couple(client)
    reason = "never, ever"
    listed = await client.post(
        LIST,
        json={"kind": "sms", "address": "+1 (555) 010-0123", "reason": reason},
        headers=plan.second.auth,
    )
    assert listed.status_code == 201, listed.text
    acting = plan.second if adder == "owner" else plan.first
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={
            "display_name": "Ex",
            "relationship": "friend",
            "channels": [{"kind": "sms", "address": "+15550100123"}],
        },
        headers=acting.auth,
    )
    refused = assert_problem(answer, 409)
    assert refused["rule"] == "do_not_involve"
    assert reason not in answer.text
    assert ("your 'do not involve' list" in refused["detail"]) is (adder == "owner")


async def test_an_entry_comes_off_the_list_and_a_bad_address_is_422(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    bad = await client.post(
        LIST, json={"kind": "sms", "address": "call me"}, headers=plan.first.auth
    )
    assert assert_problem(bad, 422)["field"] == "address"
    added = await client.post(
        LIST, json={"kind": "email", "address": "ex@example.org"}, headers=plan.first.auth
    )
    entry = added.json()["entry_id"]
    gone = await client.delete(f"{LIST}/{entry}", headers=plan.second.auth)  # not theirs
    assert_problem(gone, 404)
    removed = await client.delete(f"{LIST}/{entry}", headers=plan.first.auth)
    assert removed.status_code == 200, removed.text
    assert (await client.get(LIST, headers=plan.first.auth)).json() == {"entries": []}


async def test_an_expired_consent_alerts_nobody_and_shows_as_expired(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    jo, _ = await add_support(client, plan, consent=None)
    await agree(client, plan, jo, plan.second)
    path = await consent_link(client, plan, jo)
    request_id = await _request_id(client, plan, jo)
    # Said through the link 400 days ago (the request had not expired then): over by now.
    said = GiveConsent(
        now=datetime.now(UTC) - timedelta(days=400),
        contact_id=ContactId(UUID(jo)),
        request_id=request_id,
        scope=ConsentScope(),
    )
    metadata = Metadata(actor=f"contact:{jo}", correlation_id=UUID(int=7))
    await handlers.execute(db_pool, UUID(plan.plan_id), said, metadata, chain_key=CHAIN_KEY)

    assert (await support(client, plan, jo))["consent"] == "expired"
    assert jo not in await recipients_of_second(client, plan)
    read = await client.get(path)
    assert read.json()["status"] == "expired"
    # Renewal is a new request, with a new link.
    renewed = await client.post(
        f"/v1/plans/{plan.plan_id}/supports/{jo}/consent-requests", headers=plan.first.auth
    )
    assert renewed.status_code == 201, renewed.text
    assert await consent_link(client, plan, jo) != path


async def _request_id(client: AsyncTestClient[Any], plan: Couple, contact_id: str) -> Any:
    page = await client.get(f"/v1/plans/{plan.plan_id}/events?limit=500", headers=plan.first.auth)
    [asked] = [e["data"] for e in page.json()["events"] if e["type"] == "plan.consent_requested"]
    return UUID(asked["request_id"])


async def test_a_consent_link_tells_the_contact_what_is_kept_and_how_to_leave(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    _, path = await add_support(client, plan, consent=None)
    read = (await client.get(path)).json()
    notice = " ".join(read["notice"])
    for said in ("Who asks", "Why", "What Tandem keeps", "For how long", "withdraw", "erased"):
        assert said in notice
    assert "Alex" in notice
    assert read["consent_days"] == 365


async def test_an_acknowledge_link_expires_a_day_after_its_activation_was_resolved(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings
) -> None:
    plan = await couple(client)
    activation = await activate(client, plan)
    resolved = ResolveActivation(
        now=datetime.now(UTC) - timedelta(hours=25),
        actor=ParticipantId(UUID(plan.first.participant_id)),
        activation_id=ActivationId(UUID(activation["activation_id"])),
        outcome=Outcome.RESOLVED,
    )
    metadata = Metadata(actor="participant:test", correlation_id=UUID(int=8))
    await handlers.execute(db_pool, UUID(plan.plan_id), resolved, metadata, chain_key=CHAIN_KEY)
    link = ack_link(settings, plan.plan_id, activation["activation_id"], plan.second.participant_id)
    refused = assert_problem(await client.post(link), 410)
    assert refused["type"].endswith("/link-expired")


async def test_partners_are_told_once_when_a_consent_ends_within_the_notice_period(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    channels = {"channels": [{"kind": "email", "address": "sam@example.org"}]}
    saved = await client.put(
        "/v1/participants/me/channels", json=channels, headers=plan.second.auth
    )
    assert saved.status_code == 200, saved.text
    jo, _ = await add_support(client, plan, consent=None)
    await consent_given_at(client, db_pool, plan, jo, datetime.now(UTC) - timedelta(days=355))
    soon, _ = await add_support(client, plan, "Kai")  # consented today: a year to go

    now = datetime.now(UTC)
    assert await consent_ends.notice_due(db_pool, now, 14, CHAIN_KEY) == 1
    assert await consent_ends.notice_due(db_pool, now, 14, CHAIN_KEY) == 0  # once per consent
    page = await client.get(f"/v1/plans/{plan.plan_id}/events?limit=500", headers=plan.first.auth)
    [told] = [e["data"] for e in page.json()["events"] if e["type"] == "plan.consent_expiring"]
    assert told["contact_id"] == jo
    assert soon != jo
    by_partner = {p["recipient_id"]: p["channels"] for p in told["partners"]}
    assert by_partner[plan.second.participant_id] == channels["channels"]
    assert by_partner[plan.first.participant_id] == []


async def consent_given_at(
    client: AsyncTestClient[Any], pool: asyncpg.Pool, plan: Couple, contact_id: str, at: datetime
) -> None:
    """The contact said yes through their first link at ``at``."""
    said = GiveConsent(
        now=at,
        contact_id=ContactId(UUID(contact_id)),
        request_id=await _request_id(client, plan, contact_id),
        scope=ConsentScope(),
    )
    metadata = Metadata(actor=f"contact:{contact_id}", correlation_id=UUID(int=9))
    await handlers.execute(pool, UUID(plan.plan_id), said, metadata, chain_key=CHAIN_KEY)
