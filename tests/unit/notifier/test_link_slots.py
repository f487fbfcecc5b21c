"""Links in the ledger: rendered as slots when claimed, filled from the claim when sent."""

from datetime import timedelta
from uuid import UUID

import msgspec

from common.links import ack_link, consent_link, sign_in_link
from contracts.events import SignInLinkRequested
from contracts.ids import ContactId, ParticipantId
from contracts.support_events import ConsentRequested
from contracts.vocabulary import MessageKind
from notifier.alerting.links import ack_slot, activation_slot, consent_slot, fill, sign_in_slot
from notifier.alerting.rendering import renderer
from notifier.domain.deliveries import sign_in_link_deliveries
from notifier.ledger.leasing import Lease
from notifier.settings import NotifierSettings
from tests.unit.notifier_domain.builders import (
    ACTIVATION_ID,
    ALEX,
    BASE_URL,
    DANA,
    DANA_EMAIL,
    DANA_HOOK,
    NOW,
    PLAN_ID,
    REQUEST_ID,
    SECRET,
    activation,
    delivery,
)

EXPIRES = NOW + timedelta(days=30)
SETTINGS = NotifierSettings(
    database_url="postgresql://unused",
    nats_url="nats://unused",
    secret_key=SECRET,
    public_url=BASE_URL,
)


def lease(
    body: str, payload: dict[str, object], activation_id: UUID | None = ACTIVATION_ID
) -> Lease:
    return Lease(
        delivery_id=UUID("01950000-0000-7000-8000-000000000061"),
        plan_id=PLAN_ID,
        activation_id=activation_id,
        recipient_id=DANA,
        recipient_name="Dana",
        channel=DANA_EMAIL,
        tier=1,
        message=MessageKind.ALERT,
        sequence=1,
        subject="Subject",
        body=body,
        payload=payload,
    )


def test_an_ack_slot_fills_with_the_claims_own_link() -> None:
    slot = ack_slot(EXPIRES)
    filled = fill(lease(f"Tap: {slot}", {"ack_url": slot}), SECRET, BASE_URL)
    link = ack_link(SECRET, BASE_URL, PLAN_ID, ACTIVATION_ID, DANA, EXPIRES)
    assert filled.body == f"Tap: {link}"
    assert filled.payload == {"ack_url": link}


def test_a_consent_slot_fills_with_the_link_of_its_request() -> None:
    slot = consent_slot(REQUEST_ID, EXPIRES)
    filled = fill(lease(slot, {"nested": [{"url": slot}]}, activation_id=None), SECRET, BASE_URL)
    link = consent_link(SECRET, BASE_URL, PLAN_ID, DANA, REQUEST_ID, EXPIRES)
    assert filled.body == link
    assert filled.payload == {"nested": [{"url": link}]}


def test_every_try_of_a_claim_fills_to_the_same_link() -> None:
    stored = lease(ack_slot(EXPIRES), {})
    assert fill(stored, SECRET, BASE_URL) == fill(stored, SECRET, BASE_URL)


def test_a_slot_that_does_not_fit_its_claim_gets_no_link() -> None:
    consent_on_an_alert = fill(lease(consent_slot(REQUEST_ID, EXPIRES), {}), SECRET, BASE_URL)
    ack_without_activation = fill(lease(ack_slot(EXPIRES), {}, None), SECRET, BASE_URL)
    assert (consent_on_an_alert.body, ack_without_activation.body) == ("", "")


def test_a_claimed_message_holds_slots_never_links() -> None:
    alert = renderer(SETTINGS, activation(), {})(delivery(DANA, DANA_HOOK), 1)
    asked = ConsentRequested(
        contact_id=ContactId(DANA),
        request_id=REQUEST_ID,
        expires_at=EXPIRES,
        contact_name="Dana",
        channels=(DANA_EMAIL,),
        requested_by=ParticipantId(ALEX),
    )
    request = renderer(SETTINGS, None, {}, consent=asked)(
        delivery(DANA, DANA_EMAIL, activation_id=None, tier=0, message=MessageKind.CONSENT_REQUEST),
        0,
    )
    for rendered in (alert, request):
        stored = rendered.text + msgspec.json.encode(rendered.payload).decode()
        assert "{{tandem-link:" in stored
        assert "/v1/acks/" not in stored
        assert "/v1/consents/" not in stored
    # The person opens the page; the program gets the JSON operation's URL.
    assert consent_slot(REQUEST_ID, EXPIRES, page=True) in request.text
    assert request.payload["consent_url"] == consent_slot(REQUEST_ID, EXPIRES)
    assert request.payload["page_url"] == consent_slot(REQUEST_ID, EXPIRES, page=True)
    assert "{{tandem-link:ack-page:" in alert.text
    assert alert.payload["ack_url"].startswith("{{tandem-link:ack:")


def test_page_slots_fill_with_the_pages_of_the_same_links() -> None:
    ack = fill(lease(ack_slot(EXPIRES, page=True), {}), SECRET, BASE_URL)
    assert ack.body == ack_link(SECRET, BASE_URL, PLAN_ID, ACTIVATION_ID, DANA, EXPIRES, page=True)
    assert ack.body.startswith(f"{BASE_URL}/ack/")
    asked = fill(
        lease(consent_slot(REQUEST_ID, EXPIRES, page=True), {}, activation_id=None),
        SECRET,
        BASE_URL,
    )
    assert asked.body == consent_link(
        SECRET, BASE_URL, PLAN_ID, DANA, REQUEST_ID, EXPIRES, page=True
    )
    assert asked.body.startswith(f"{BASE_URL}/consent/")
    live = fill(lease(activation_slot(), {}), SECRET, BASE_URL)
    assert live.body == f"{BASE_URL}/plans/{PLAN_ID}/activations/{ACTIVATION_ID}"
    assert fill(lease(activation_slot(), {}, activation_id=None), SECRET, BASE_URL).body == ""


def test_the_all_clear_and_nobody_answered_link_to_their_pages() -> None:
    render_one = renderer(SETTINGS, activation(), {})
    all_clear = render_one(delivery(DANA, DANA_EMAIL, tier=0, message=MessageKind.ALL_CLEAR), 2)
    assert "{{tandem-link:ack-page:" in all_clear.text
    nobody = render_one(delivery(ALEX, DANA_EMAIL, tier=0, message=MessageKind.NO_ANSWER), 3)
    assert activation_slot() in nobody.text


def test_a_sign_in_link_is_rendered_as_a_slot_and_filled_only_on_its_own_claim() -> None:
    asked = SignInLinkRequested(
        participant_id=ParticipantId(DANA),
        link_id=REQUEST_ID,
        display_name="Dana",
        channel=DANA_EMAIL,
        expires_at=EXPIRES,
    )
    [planned] = sign_in_link_deliveries(PLAN_ID, asked)
    rendered = renderer(SETTINGS, None, {}, sign_in=asked)(planned, 0)
    assert sign_in_slot(REQUEST_ID, EXPIRES) in rendered.text
    assert "/sign-in/" not in rendered.text + msgspec.json.encode(rendered.payload).decode()
    filled = fill(lease(rendered.text, {}, activation_id=None), SECRET, BASE_URL)
    assert sign_in_link(SECRET, BASE_URL, PLAN_ID, DANA, REQUEST_ID, EXPIRES) in filled.body
    on_an_alert = fill(lease(sign_in_slot(REQUEST_ID, EXPIRES), {}), SECRET, BASE_URL)
    assert on_an_alert.body == ""
