"""Which deliveries each moment of an activation plans, and their claim keys."""

import msgspec

from contracts.ids import ContactId
from contracts.support_events import ConsentRequested
from contracts.vocabulary import Channel, ChannelKind, MessageKind
from notifier.domain.deliveries import (
    NOTE_TIER,
    ack_note_deliveries,
    all_clear_deliveries,
    consent_request_deliveries,
    no_answer_deliveries,
    not_reached_deliveries,
    recipients_in_tier,
    tier_deliveries,
    unreachable,
)
from tests.unit.notifier_domain.builders import (
    ACTIVATION_ID,
    ALEX,
    ALEX_EMAIL,
    ALEX_HOOK,
    ALEX_SMS,
    BLAIR,
    BLAIR_EMAIL,
    BLAIR_SMS,
    DANA,
    DANA_EMAIL,
    DANA_HOOK,
    ELI,
    ELI_SMS,
    FRAN,
    NOW,
    OTHER_REQUEST_ID,
    PLAN_ID,
    REQUEST_ID,
    activation,
    delivery,
)


def test_a_tier_alerts_every_channel_of_every_recipient_in_it() -> None:
    planned = tier_deliveries(PLAN_ID, activation(), 1)
    assert [(p.recipient_id, p.recipient_name, p.channel) for p in planned] == [
        (BLAIR, "Blair", BLAIR_SMS),
        (BLAIR, "Blair", BLAIR_EMAIL),
        (DANA, "Dana", DANA_EMAIL),
        (DANA, "Dana", DANA_HOOK),
    ]
    assert {(p.tier, p.message, p.activation_id, p.plan_id) for p in planned} == {
        (1, MessageKind.ALERT, ACTIVATION_ID, PLAN_ID)
    }


def test_a_recipient_without_channels_gets_no_delivery_and_is_reported_unreachable() -> None:
    planned = tier_deliveries(PLAN_ID, activation(), 2)
    assert [(p.recipient_id, p.channel) for p in planned] == [(ELI, ELI_SMS)]
    assert unreachable(activation(), 2) == [FRAN]
    assert unreachable(activation(), 1) == []


def test_a_tier_the_activation_does_not_have_plans_nothing() -> None:
    assert tier_deliveries(PLAN_ID, activation(), 3) == []
    assert recipients_in_tier(activation(), 0) == []


def test_an_acknowledgement_notes_the_activator_on_each_of_their_channels() -> None:
    planned = ack_note_deliveries(PLAN_ID, activation(), DANA)
    assert [(p.recipient_id, p.recipient_name, p.channel) for p in planned] == [
        (ALEX, "Alex", ALEX_SMS),
        (ALEX, "Alex", ALEX_EMAIL),
        (ALEX, "Alex", ALEX_HOOK),
    ]
    assert {(p.tier, p.message) for p in planned} == {(NOTE_TIER, MessageKind.ACK_NOTE)}


def test_a_second_acknowledger_plans_the_same_claims_so_no_second_note_is_sent() -> None:
    first = ack_note_deliveries(PLAN_ID, activation(), DANA)
    second = ack_note_deliveries(PLAN_ID, activation(), BLAIR)
    assert [p.claim_key() for p in first] == [p.claim_key() for p in second]


def test_the_activator_acknowledging_themselves_is_not_noted() -> None:
    assert ack_note_deliveries(PLAN_ID, activation(), ALEX) == []


def test_no_answer_goes_to_the_activator() -> None:
    planned = no_answer_deliveries(PLAN_ID, activation())
    assert [(p.recipient_id, p.channel, p.message, p.tier) for p in planned] == [
        (ALEX, ALEX_SMS, MessageKind.NO_ANSWER, NOTE_TIER),
        (ALEX, ALEX_EMAIL, MessageKind.NO_ANSWER, NOTE_TIER),
        (ALEX, ALEX_HOOK, MessageKind.NO_ANSWER, NOTE_TIER),
    ]


def test_a_recipient_not_reached_is_told_to_the_activator_on_each_channel_once_per_recipient() -> (
    None
):
    about_dana = not_reached_deliveries(PLAN_ID, activation(), DANA)
    about_blair = not_reached_deliveries(PLAN_ID, activation(), BLAIR)
    nobody_answered = no_answer_deliveries(PLAN_ID, activation())

    assert [(p.recipient_id, p.channel, p.message, p.about) for p in about_dana] == [
        (ALEX, ALEX_SMS, MessageKind.NO_ANSWER, DANA),
        (ALEX, ALEX_EMAIL, MessageKind.NO_ANSWER, DANA),
        (ALEX, ALEX_HOOK, MessageKind.NO_ANSWER, DANA),
    ]
    keys = [p.claim_key() for p in (*about_dana, *about_blair, *nobody_answered)]
    assert len(set(keys)) == len(keys)  # neither note stands in for another
    assert [p.claim_key() for p in about_dana] == [
        p.claim_key() for p in not_reached_deliveries(PLAN_ID, activation(), DANA)
    ]


def test_the_activator_is_never_told_they_themselves_could_not_be_reached() -> None:
    assert not_reached_deliveries(PLAN_ID, activation(), ALEX) == []


def test_an_activator_without_channels_gets_no_notes() -> None:
    assert no_answer_deliveries(PLAN_ID, activation(activator_channels=())) == []


def test_all_clear_goes_to_exactly_the_pairs_that_were_alerted() -> None:
    alerted = [(BLAIR, BLAIR_EMAIL), (DANA, DANA_HOOK), (BLAIR, BLAIR_EMAIL)]
    planned = all_clear_deliveries(PLAN_ID, activation(), alerted)
    assert [(p.recipient_id, p.recipient_name, p.channel) for p in planned] == [
        (BLAIR, "Blair", BLAIR_EMAIL),
        (DANA, "Dana", DANA_HOOK),
    ]
    assert {(p.tier, p.message) for p in planned} == {(NOTE_TIER, MessageKind.ALL_CLEAR)}


def test_all_clear_with_nobody_alerted_plans_nothing() -> None:
    assert all_clear_deliveries(PLAN_ID, activation(), []) == []


def test_a_contact_is_asked_for_consent_on_each_channel_outside_any_activation() -> None:
    requested = ConsentRequested(
        contact_id=ContactId(DANA),
        request_id=REQUEST_ID,
        expires_at=NOW,
        contact_name="Dana",
        channels=(DANA_EMAIL, DANA_HOOK),
        requested_by=ALEX,
    )
    planned = consent_request_deliveries(PLAN_ID, requested)
    assert [(p.recipient_id, p.recipient_name, p.channel) for p in planned] == [
        (DANA, "Dana", DANA_EMAIL),
        (DANA, "Dana", DANA_HOOK),
    ]
    assert {(p.activation_id, p.request_id, p.tier, p.message) for p in planned} == {
        (None, REQUEST_ID, NOTE_TIER, MessageKind.CONSENT_REQUEST)
    }


def test_a_claim_key_is_stable_across_plannings() -> None:
    assert [p.claim_key() for p in tier_deliveries(PLAN_ID, activation(), 1)] == [
        p.claim_key() for p in tier_deliveries(PLAN_ID, activation(), 1)
    ]
    assert delivery(DANA, DANA_EMAIL).claim_key() == (
        '["01950000-0000-7000-8000-000000000041","01950000-0000-7000-8000-0000000000d1",'
        '"email","dana@example.org",1,"alert"]'
    )


def test_claim_keys_differ_by_tier_channel_address_and_message() -> None:
    base = delivery(DANA, DANA_EMAIL)
    variants = [
        delivery(DANA, DANA_EMAIL, tier=2),
        delivery(DANA, DANA_HOOK),
        delivery(DANA, Channel(kind=ChannelKind.EMAIL, address="dana@elsewhere.org")),
        delivery(DANA, Channel(kind=ChannelKind.SMS, address="dana@example.org")),
        delivery(DANA, DANA_EMAIL, message=MessageKind.ALL_CLEAR),
        delivery(ELI, DANA_EMAIL),
    ]
    keys = {base.claim_key(), *(v.claim_key() for v in variants)}
    assert len(keys) == len(variants) + 1


def test_a_claim_key_ignores_the_recipient_name() -> None:
    assert delivery(DANA, DANA_EMAIL, name="Dana").claim_key() == (
        delivery(DANA, DANA_EMAIL, name="D.").claim_key()
    )


def test_a_consent_request_is_keyed_by_its_request_so_asking_again_is_sent_again() -> None:
    first = msgspec.structs.replace(
        delivery(DANA, DANA_EMAIL, activation_id=None, tier=0), request_id=REQUEST_ID
    )
    again = msgspec.structs.replace(first, request_id=OTHER_REQUEST_ID)
    assert first.claim_key().startswith(f'["{REQUEST_ID}",')
    assert first.claim_key() != again.claim_key()


def test_an_address_with_separators_cannot_collide_with_another_key() -> None:
    tricky = Channel(kind=ChannelKind.EMAIL, address='a","1')
    plain = Channel(kind=ChannelKind.EMAIL, address="a")
    assert delivery(DANA, tricky).claim_key() != delivery(DANA, plain, tier=1).claim_key()
