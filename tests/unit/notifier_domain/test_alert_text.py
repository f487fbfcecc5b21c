"""The words of each message, and what they may disclose to whom."""

import msgspec
import pytest

from contracts.vocabulary import Channel, ConsentScope, MessageKind, RecipientKind
from notifier.domain.alert_text import (
    DEFAULT_CRISIS_RESOURCES,
    SMS_TEXT_LIMIT,
    MissingActivation,
    Rendered,
    render,
    sms_text,
)
from notifier.domain.deliveries import PlannedDelivery
from tests.unit.notifier_domain.builders import (
    ACK_URL,
    ALEX,
    ALEX_EMAIL,
    ALEX_SMS,
    BLAIR,
    BLAIR_EMAIL,
    BLAIR_SMS,
    CONSENT_URL,
    DANA,
    DANA_EMAIL,
    DANA_HOOK,
    ELI,
    ELI_SMS,
    NOTE_TEXT,
    RECIPIENTS,
    SIGN_TEXT,
    activation,
    context,
    delivery,
    recipient,
)

DANA_SMS = ELI_SMS  # any phone number: Dana's scope is what matters


def rendered_forms(planned: PlannedDelivery, **changes: object) -> list[str]:
    """Everything a recipient could read: the text for the channel and the webhook body."""
    result = render(planned, context(**changes))
    return [result.subject, result.text, msgspec.json.encode(result.payload).decode()]


def words_of(sms: str) -> str:
    """An SMS without its link, which is never clipped and not counted."""
    for link in (ACK_URL, CONSENT_URL):
        sms = sms.replace(link, "")
    return sms


@pytest.mark.parametrize("channel", [DANA_EMAIL, DANA_HOOK, DANA_SMS], ids=lambda c: c.kind.value)
def test_a_contact_whose_scope_shares_nothing_never_reads_signs_or_the_note(
    channel: Channel,
) -> None:
    for form in rendered_forms(delivery(DANA, channel, name="Dana")):
        assert SIGN_TEXT not in form
        assert NOTE_TEXT not in form
    payload = render(delivery(DANA, channel), context()).payload
    assert "signs" not in payload
    assert "note" not in payload


@pytest.mark.parametrize("channel", [BLAIR_EMAIL, BLAIR_SMS], ids=lambda c: c.kind.value)
def test_the_other_partner_reads_the_signs_and_the_note(channel: Channel) -> None:
    result = render(delivery(BLAIR, channel, name="Blair"), context())
    assert SIGN_TEXT in result.text
    assert NOTE_TEXT in result.text
    assert result.payload["signs"] == [SIGN_TEXT]
    assert result.payload["note"] == NOTE_TEXT


def test_a_contact_who_shares_everything_reads_signs_and_note_even_by_sms() -> None:
    text = render(delivery(ELI, ELI_SMS, tier=2), context()).text
    assert SIGN_TEXT in text
    assert NOTE_TEXT in text


def test_a_contact_who_shares_signs_only_reads_the_signs_but_not_the_note() -> None:
    signs_only = recipient(DANA, "Dana", 1, DANA_EMAIL, scope=ConsentScope(share_signs=True))
    activated = activation(recipients=(RECIPIENTS[0], signs_only))
    result = render(delivery(DANA, DANA_EMAIL), context(activated))
    assert SIGN_TEXT in result.text
    assert NOTE_TEXT not in result.text
    assert (result.payload["signs"], "note" in result.payload) == ([SIGN_TEXT], False)


def test_a_contact_without_a_frozen_scope_reads_nothing_private() -> None:
    unscoped = msgspec.structs.replace(RECIPIENTS[1], scope=None)
    assert unscoped.kind is RecipientKind.CONTACT
    activated = activation(recipients=(RECIPIENTS[0], unscoped))
    for form in rendered_forms(delivery(DANA, DANA_HOOK), activation=activated):
        assert SIGN_TEXT not in form
        assert NOTE_TEXT not in form


def test_an_alert_says_who_asked_the_level_how_to_reach_them_and_how_to_acknowledge() -> None:
    result = render(delivery(DANA, DANA_EMAIL, name="Dana"), context())
    assert result.subject == "Alex asked for your help"
    assert result.text.startswith("Hi Dana,\n\nAlex has asked for help. Level: setback.")
    assert f"Reach them at {ALEX_SMS.address} or {ALEX_EMAIL.address}." in result.text
    assert "hooks.example.org" not in result.text  # a webhook is no way to reach a person
    assert ACK_URL in result.text


def test_an_activator_without_a_phone_or_email_is_reached_the_usual_way() -> None:
    activated = activation(activator_channels=())
    text = render(delivery(DANA, DANA_EMAIL), context(activated)).text
    assert "Reach out to them the way you usually do." in text


def test_retired_signs_and_an_empty_note_leave_no_empty_headings() -> None:
    result = render(delivery(BLAIR, BLAIR_EMAIL), context(activation(note="  "), signs={}))
    assert "Signs they noticed" not in result.text
    assert "Their note" not in result.text
    assert (result.payload["signs"], "note" in result.payload) == ([], False)


def test_an_sms_alert_stays_short_even_with_a_long_note_and_long_names() -> None:
    activated = activation(note="x" * 4000, activator_name="A" * 200)
    text = render(delivery(BLAIR, BLAIR_SMS), context(activated)).text
    assert len(words_of(text)) < SMS_TEXT_LIMIT
    assert text.endswith(f"\nTap if you are on it: {ACK_URL}")
    assert "…" in text


def test_an_sms_alert_with_room_keeps_everything_whole() -> None:
    text = render(delivery(BLAIR, BLAIR_SMS), context()).text
    assert text == (
        "Tandem: Alex asked for help (setback). Reach them: +15550000001, alex@example.org. "
        f"Signs: {SIGN_TEXT}. Note: {NOTE_TEXT}\nTap if you are on it: {ACK_URL}"
    )


def test_sms_text_drops_parts_too_small_to_say_anything_once_the_room_is_gone() -> None:
    text = sms_text("h" * 150, ["a" * 150, "b" * 100])
    assert len(text) < SMS_TEXT_LIMIT
    assert "b" not in text


def test_an_email_carries_the_whole_note() -> None:
    long_note = "y" * 4000
    text = render(delivery(BLAIR, BLAIR_EMAIL), context(activation(note=long_note))).text
    assert long_note in text


def test_an_ack_note_tells_the_activator_who_is_on_it() -> None:
    note = delivery(ALEX, ALEX_EMAIL, name="Alex", tier=0, message=MessageKind.ACK_NOTE)
    result = render(note, context())
    assert result.subject == "Dana is on it"
    assert "Dana saw that you asked for help and is on it." in result.text
    sms = render(msgspec.structs.replace(note, channel=ALEX_SMS), context()).text
    assert sms == "Tandem: Dana saw that you asked for help and is on it."


def test_all_clear_says_nothing_more_is_needed_and_discloses_nothing() -> None:
    clear = delivery(BLAIR, BLAIR_EMAIL, name="Blair", tier=0, message=MessageKind.ALL_CLEAR)
    result = render(clear, context())
    assert result.subject == "All clear"
    assert "Nobody needs to do anything more." in result.text
    for form in [result.text, msgspec.json.encode(result.payload).decode()]:
        assert SIGN_TEXT not in form
        assert NOTE_TEXT not in form
        assert ACK_URL not in form


def test_no_answer_points_the_activator_to_crisis_resources() -> None:
    note = delivery(ALEX, ALEX_EMAIL, tier=0, message=MessageKind.NO_ANSWER)
    text = render(note, context()).text
    assert "Nobody has answered your request for help yet." in text
    assert DEFAULT_CRISIS_RESOURCES in text
    sms = render(msgspec.structs.replace(note, channel=ALEX_SMS), context()).text
    assert DEFAULT_CRISIS_RESOURCES in sms


def test_a_not_reached_note_names_who_could_not_be_reached_and_says_we_keep_trying() -> None:
    note = msgspec.structs.replace(
        delivery(ALEX, ALEX_EMAIL, tier=0, message=MessageKind.NO_ANSWER), about=DANA
    )
    result = render(note, context())
    assert result.subject == "We could not reach Dana yet"
    assert "Tandem keeps trying" in result.text
    assert DEFAULT_CRISIS_RESOURCES in result.text
    assert result.payload["type"] == "tandem.no_answer"
    assert result.payload["not_reached"] == {"recipient_id": str(DANA), "display_name": "Dana"}
    sms = render(msgspec.structs.replace(note, channel=ALEX_SMS), context()).text
    assert sms.startswith("Tandem: We could not reach Dana yet.")
    assert len(sms) <= SMS_TEXT_LIMIT
    plain = render(delivery(ALEX, ALEX_EMAIL, tier=0, message=MessageKind.NO_ANSWER), context())
    assert "not_reached" not in plain.payload


def test_no_answer_uses_the_configured_crisis_resources() -> None:
    note = delivery(ALEX, ALEX_EMAIL, tier=0, message=MessageKind.NO_ANSWER)
    text = render(note, context(crisis_resources="Call 116 123 (Samaritans, UK).")).text
    assert "Call 116 123 (Samaritans, UK)." in text
    assert DEFAULT_CRISIS_RESOURCES not in text


def test_a_consent_request_names_the_partners_and_carries_the_consent_link_only() -> None:
    ask = delivery(
        DANA,
        DANA_EMAIL,
        name="Dana",
        tier=0,
        message=MessageKind.CONSENT_REQUEST,
        activation_id=None,
    )
    result = render(
        ask, context(activation=None, consent_url=CONSENT_URL, partner_names=("Alex", "Blair"))
    )
    assert result.subject == "Alex and Blair would like you to be a support contact"
    assert CONSENT_URL in result.text
    assert ACK_URL not in result.text


def test_a_consent_request_by_sms_keeps_its_link_whole() -> None:
    ask = delivery(DANA, DANA_SMS, tier=0, message=MessageKind.CONSENT_REQUEST, activation_id=None)
    names = tuple("N" * 200 for _ in range(3))
    text = render(ask, context(activation=None, consent_url=CONSENT_URL, partner_names=names)).text
    assert text.endswith(f"\nYes or no: {CONSENT_URL}")
    assert len(words_of(text)) < SMS_TEXT_LIMIT


@pytest.mark.parametrize(
    "message", [MessageKind.ALERT, MessageKind.ACK_NOTE, MessageKind.ALL_CLEAR]
)
def test_a_message_about_an_activation_cannot_be_rendered_without_it(message: MessageKind) -> None:
    with pytest.raises(MissingActivation):
        render(delivery(BLAIR, BLAIR_EMAIL, message=message), context(activation=None))


def test_rendering_is_deterministic() -> None:
    planned = delivery(ELI, ELI_SMS, tier=2)
    assert render(planned, context()) == render(planned, context())
    assert isinstance(render(planned, context()), Rendered)


def test_every_recipient_of_the_activation_can_be_rendered_on_every_channel() -> None:
    for r in RECIPIENTS:
        for channel in r.channels:
            assert render(delivery(r.recipient_id, channel), context()).text


PAGE_URL = "https://tandem.example/ack/" + "p" * 200


@pytest.mark.parametrize(
    "message", [MessageKind.ALERT, MessageKind.ALL_CLEAR, MessageKind.NO_ANSWER]
)
def test_a_message_with_a_page_links_the_page_by_email_and_sms(message: MessageKind) -> None:
    for channel in (DANA_EMAIL, DANA_SMS):
        rendered = render(delivery(DANA, channel, message=message), context(page_url=PAGE_URL))
        assert PAGE_URL in rendered.text
        assert rendered.payload["page_url"] == PAGE_URL
    alert = render(delivery(DANA, DANA_EMAIL), context(page_url=PAGE_URL))
    assert ACK_URL not in alert.text  # people open the page; programs get ack_url
    assert alert.payload["ack_url"] == ACK_URL
