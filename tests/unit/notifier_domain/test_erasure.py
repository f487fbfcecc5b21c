"""What erasing a person means to the notifier: their traces, and activations without them."""

from datetime import timedelta
from typing import get_args
from uuid import UUID

import msgspec
import pytest

from contracts.erasure_events import ERASED, ParticipantErased, SupportContactErased
from contracts.events import PlanActivated, PlanEvent, SignInLinkRequested
from contracts.support_events import ConsentExpiring, DisclosureRequested
from notifier.domain.erasure import (
    MIN_TRACE_LENGTH,
    erased_subject,
    scrub_activation,
    searchable,
    traces,
    usable,
)
from tests.support.erasure_journey import (
    AT,
    B_EMAIL,
    B_NAME,
    B_NOTE,
    B_SIGN,
    BORISLAV,
    C_STRINGS,
    CASSIA,
    Z_CHECK_IN,
    Z_EMAIL,
    Z_NAME,
    Z_NOTE,
    Z_PHONE,
    Z_REFLECTION,
    Z_SIGN,
    Z_SIGN_REVISED,
    Z_STRINGS,
    ZEPHYRINE,
    email,
    journey,
    partner,
)

B_STRINGS = (B_NAME, B_EMAIL, B_NOTE, B_SIGN)


def activations() -> list[PlanActivated]:
    return [e for e in journey() if isinstance(e, PlanActivated)]


def test_an_erasure_names_the_person_it_erases_and_no_other_event_does() -> None:
    assert erased_subject(ParticipantErased(participant_id=ZEPHYRINE, at=AT, by="self")) == (
        ZEPHYRINE
    )
    assert erased_subject(SupportContactErased(contact_id=CASSIA, at=AT, by="partner")) == CASSIA
    assert all(erased_subject(event) is None for event in journey())


def test_a_partners_traces_are_their_names_addresses_and_signs_and_nobody_elses() -> None:
    found = traces(ZEPHYRINE, journey())

    assert found == {Z_NAME, Z_EMAIL, Z_PHONE, Z_SIGN, Z_SIGN_REVISED}
    assert not found & {*B_STRINGS, *C_STRINGS}


def test_what_a_person_wrote_is_found_by_where_it_is_not_by_its_words() -> None:
    found = traces(ZEPHYRINE, journey())  # "help" as a note would match every alert

    assert not found & {Z_NOTE, Z_REFLECTION, Z_CHECK_IN}


def test_a_contacts_traces_are_their_name_relationship_and_addresses() -> None:
    assert traces(CASSIA, journey()) == set(C_STRINGS)


def test_strings_too_short_or_already_erased_are_not_looked_for() -> None:
    assert usable(["Al", " ", ERASED, "  Ana  ", "x" * MIN_TRACE_LENGTH]) == {
        "Ana",
        "x" * MIN_TRACE_LENGTH,
    }


def test_a_string_is_looked_for_as_written_and_as_it_reads_inside_json() -> None:
    assert searchable(['Zoe "Q7"']) == ['Zoe "Q7"', 'Zoe \\"Q7\\"']


def test_the_activation_the_person_asked_for_keeps_ids_and_loses_their_text() -> None:
    mine, _ = activations()

    scrubbed = scrub_activation(mine, ZEPHYRINE, frozenset(Z_STRINGS))

    assert (scrubbed.note, scrubbed.activator_name, scrubbed.activator_channels) == (
        ERASED,
        ERASED,
        (),
    )
    assert scrubbed.recipients == mine.recipients  # the others are theirs to keep
    assert (scrubbed.activated_by, scrubbed.tiers) == (mine.activated_by, mine.tiers)
    text = msgspec.json.encode(scrubbed).decode()
    assert not [s for s in Z_STRINGS if s in text]


def test_as_a_recipient_the_person_loses_name_and_channels_and_the_rest_stays() -> None:
    _, theirs = activations()

    scrubbed = scrub_activation(theirs, ZEPHYRINE, frozenset(Z_STRINGS))

    [erased] = [r for r in scrubbed.recipients if r.recipient_id == ZEPHYRINE]
    assert (erased.display_name, erased.channels) == (ERASED, ())
    assert (scrubbed.note, scrubbed.activator_name) == (B_NOTE, B_NAME)
    assert scrubbed.activator_channels == theirs.activator_channels
    assert scrub_activation(theirs, CASSIA, frozenset()) != theirs  # Cassia was alerted too


@pytest.mark.parametrize("who", [BORISLAV, CASSIA])
def test_an_activation_that_does_not_name_the_person_is_left_as_it_was(who: UUID) -> None:
    mine, _ = activations()
    others = tuple(r for r in mine.recipients if r.recipient_id != who)
    without = msgspec.structs.replace(mine, recipients=others)

    assert scrub_activation(without, who, frozenset({"Nobody-X9"})) == without


def test_a_note_by_someone_else_that_names_the_person_reads_as_erased() -> None:
    _, theirs = activations()
    naming = msgspec.structs.replace(theirs, note="Worried about Zephyrine-Q7 tonight")

    assert scrub_activation(naming, ZEPHYRINE, frozenset(Z_STRINGS)).note == ERASED


# Every event type, by whether it can carry a person's text. A new event type fails here
# until it is placed: with text, ``domain.erasure._theirs`` must say whose it is.
WITH_TEXT = {
    "plan.created",
    "plan.partner_joined",
    "plan.warning_sign_added",
    "plan.warning_sign_revised",
    "plan.support_contact_added",
    "plan.consent_requested",
    "plan.disclosure_requested",
    "plan.consent_expiring",
    "plan.activated",
    "plan.activation_resolved",
    "plan.check_in_recorded",
    "plan.sign_in_link_requested",
}
IDS_AND_CHOICES_ONLY = {
    "plan.partner_invited",
    "plan.warning_sign_retired",
    "plan.consent_given",
    "plan.consent_declined",
    "plan.consent_withdrawn",
    "plan.support_contact_removed",
    "plan.escalation_policy_set",
    "plan.activation_acknowledged",
    "plan.alert_delivery_recorded",
    "plan.activation_escalated",
    "plan.disclosure_chosen",
    "plan.participant_erased",
    "plan.support_contact_erased",
}
# Text in them that is nobody's in particular, or the plan's (a title, a step of the
# response plan written for both): not looked for when one person is erased.
NOBODYS = {"plan.response_step_added", "plan.response_step_revised", "plan.response_step_removed"}


def test_every_event_type_is_placed_as_carrying_a_persons_text_or_not() -> None:
    tags = {str(c.__struct_config__.tag) for c in get_args(PlanEvent)}
    assert tags == WITH_TEXT | IDS_AND_CHOICES_ONLY | NOBODYS


def test_the_notes_around_a_plan_give_the_person_their_strings() -> None:
    expires = AT + timedelta(days=14)
    events = [
        DisclosureRequested(
            contact_id=CASSIA,
            partner_id=ZEPHYRINE,
            partner_name="Zeph-asked",
            contact_name="Cassia-M3",
            channels=(email("zeph.asked@example.org"),),
            requested_by=BORISLAV,
            requested_by_name=B_NAME,
            at=AT,
        ),
        ConsentExpiring(
            contact_id=CASSIA,
            contact_name="Cassia-M3",
            expires_at=expires,
            at=AT,
            partners=(partner(ZEPHYRINE, "Zeph-told", (email("zeph.told@example.org"),)),),
        ),
        SignInLinkRequested(
            participant_id=ZEPHYRINE,
            link_id=UUID(int=1),
            display_name="Zeph-signing-in",
            channel=email("zeph.link@example.org"),
            expires_at=expires,
        ),
    ]

    assert traces(ZEPHYRINE, events) == {
        "Zeph-asked",
        "zeph.asked@example.org",
        "Zeph-told",
        "zeph.told@example.org",
        "Zeph-signing-in",
        "zeph.link@example.org",
    }
    assert traces(CASSIA, events) == {"Cassia-M3"}
    assert traces(BORISLAV, events) == {B_NAME}
