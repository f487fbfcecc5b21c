"""Who may learn about whom: the pure rules (planner.domain.privacy, decide_privacy) and how
older events read (evolve_contacts)."""

from datetime import timedelta

import pytest

from contracts.ids import ContactId, ParticipantId, RecipientId
from contracts.support_events import (
    ConsentExpiring,
    ConsentGiven,
    DisclosureChosen,
    DisclosureRequested,
    SupportContactAdded,
)
from contracts.vocabulary import Channel, ChannelKind, ConsentScope, DisclosureChoice, Level
from planner.domain.commands import AddSupportContact, NoticeConsentExpiry, SetDisclosure
from planner.domain.decide import decide
from planner.domain.errors import InvalidCommand, NotAPartner, RuleViolated
from planner.domain.privacy import (
    address_key,
    keys_of,
    listed_key,
    may_alert,
    may_renew,
    refuse_listed,
)
from planner.domain.recipients import resolve_recipients
from planner.domain.state import ConsentStatus
from tests.support.builders import (
    ALEX,
    BLAIR,
    CASEY,
    DANA,
    ELI,
    NOW,
    REQUEST_EXPIRES,
    REQUEST_IDS,
    asked,
    consented,
    email,
    given,
    two_partners,
)

SMS = Channel(kind=ChannelKind.SMS, address="+15550100")
EVERYTHING = DisclosureChoice(alert=True, share_signs=True, share_note=True)


def chose(
    partner: ParticipantId, choice: DisclosureChoice, contact: ContactId = DANA
) -> DisclosureChosen:
    return DisclosureChosen(contact_id=contact, partner_id=partner, choice=choice, at=NOW)


@pytest.mark.parametrize(
    ("kind", "typed", "key"),
    [
        (ChannelKind.EMAIL, " Jo@Example.ORG ", "email:jo@example.org"),
        (ChannelKind.SMS, "+1 (555) 010-0177", "sms:+15550100177"),
        (ChannelKind.EMAIL, "not an address", None),
        (ChannelKind.SMS, "call me", None),
        (ChannelKind.WEBHOOK, "https://hooks.example.org/jo", None),
    ],
)
def test_addresses_compare_the_way_people_write_them(
    kind: ChannelKind, typed: str, key: str | None
) -> None:
    assert address_key(kind, typed) == key


def test_a_do_not_involve_entry_is_kept_under_its_compared_key_or_refused_in_plain_words() -> None:
    assert listed_key("email", " Jo@Example.ORG") == "email:jo@example.org"
    assert listed_key("sms", "+1 (555) 010-0177") == "sms:+15550100177"
    with pytest.raises(InvalidCommand) as not_email:
        listed_key("email", "jo")
    with pytest.raises(InvalidCommand) as not_phone:
        listed_key("sms", "call me")
    assert not_email.value.detail == "address is not an e-mail address"
    assert not_phone.value.detail.startswith("address is not a phone number")


def test_a_listed_address_is_refused_saying_whose_list_and_never_why() -> None:
    listed = {"sms:+15550100": BLAIR}
    with pytest.raises(RuleViolated) as by_owner:
        refuse_listed((email(DANA), SMS), listed, BLAIR)
    with pytest.raises(RuleViolated) as by_other:
        refuse_listed((SMS,), listed, ALEX)
    assert by_owner.value.rule == by_other.value.rule == "do_not_involve"
    assert "your 'do not involve' list" in by_owner.value.detail
    assert "your partner" in by_other.value.detail
    refuse_listed((email(DANA),), listed, ALEX)  # another address: nothing to refuse


def test_adding_a_contact_on_either_list_is_refused() -> None:
    command = AddSupportContact(
        now=NOW,
        actor=ALEX,
        contact_id=DANA,
        display_name="Dana",
        relationship="sponsor",
        channels=(email(DANA),),
        request_id=REQUEST_IDS[DANA],
        request_expires_at=REQUEST_EXPIRES,
        do_not_involve={"email:dana@example.org": BLAIR},
    )
    with pytest.raises(RuleViolated):
        decide(given(*two_partners()), command)


def test_the_activating_partners_choice_and_list_and_the_consents_end_all_decide() -> None:
    state = given(*two_partners(), *consented(DANA))  # added by Alex, before choices
    dana = state.contacts[DANA]
    assert may_alert(dana, Level.CRISIS, ALEX, NOW)
    assert not may_alert(dana, Level.CRISIS, BLAIR, NOW)  # Blair never chose
    chosen = given(*two_partners(), *consented(DANA), chose(BLAIR, DisclosureChoice(alert=True)))
    assert may_alert(chosen.contacts[DANA], Level.CRISIS, BLAIR, NOW)
    listed = frozenset(keys_of([email(DANA)]))
    assert not may_alert(chosen.contacts[DANA], Level.CRISIS, BLAIR, NOW, listed)
    ended = NOW + timedelta(days=365)
    assert chosen.contacts[DANA].consent_at(ended) is ConsentStatus.EXPIRED
    assert not may_alert(chosen.contacts[DANA], Level.CRISIS, BLAIR, ended)


def test_the_recipient_carries_the_activating_partners_choice_not_the_others() -> None:
    events = [
        *two_partners(),
        *consented(DANA),
        chose(ALEX, EVERYTHING),
        chose(BLAIR, DisclosureChoice(alert=True)),
    ]
    recipients, _ = resolve_recipients(given(*events), Level.CRISIS, BLAIR, NOW)
    [dana] = [r for r in recipients if r.recipient_id == RecipientId(DANA)]
    assert dana.disclosure == DisclosureChoice(alert=True)


def test_a_partner_sets_only_their_own_choice_and_the_same_choice_twice_is_nothing() -> None:
    state = given(*two_partners(), *consented(DANA))
    set_it = SetDisclosure(now=NOW, actor=BLAIR, contact_id=DANA, choice=EVERYTHING)
    assert decide(state, set_it) == [chose(BLAIR, EVERYTHING)]
    assert decide(given(*two_partners(), *consented(DANA), chose(BLAIR, EVERYTHING)), set_it) == []
    with pytest.raises(NotAPartner):
        decide(state, SetDisclosure(now=NOW, actor=CASEY, contact_id=DANA, choice=EVERYTHING))
    sign_only = DisclosureChoice(alert=False, share_signs=True)
    with pytest.raises(InvalidCommand):
        decide(state, SetDisclosure(now=NOW, actor=BLAIR, contact_id=DANA, choice=sign_only))


def test_an_older_contact_counts_as_agreed_by_its_adder_and_not_asked_of_the_other() -> None:
    dana = given(*two_partners(), *consented(DANA)).contacts[DANA]
    assert dana.allows(ALEX) == EVERYTHING
    assert dana.allows(BLAIR) == DisclosureChoice()
    assert dana.disclosure_asked == ()


def test_an_older_consent_lasts_a_year_from_when_it_was_given() -> None:
    dana = given(*two_partners(), *consented(DANA)).contacts[DANA]
    assert dana.consent_expires_at == NOW + timedelta(days=365)


def test_asking_the_other_partner_is_recorded() -> None:
    asking = DisclosureRequested(
        contact_id=DANA,
        partner_id=BLAIR,
        contact_name="Dana",
        requested_by=ALEX,
        at=NOW,
    )
    adder = SupportContactAdded(
        contact_id=ELI,
        display_name="Eli",
        relationship="friend",
        channels=(email(ELI),),
        added_by=ALEX,
        adder_disclosure=DisclosureChoice(alert=True),
    )
    state = given(*two_partners(), *consented(DANA), asking, adder)
    assert state.contacts[DANA].disclosure_asked == (BLAIR,)
    assert state.contacts[ELI].allows(ALEX) == DisclosureChoice(alert=True)  # as chosen


def test_a_consent_may_be_renewed_only_near_its_end() -> None:
    dana = given(*two_partners(), *consented(DANA)).contacts[DANA]
    assert not may_renew(dana, NOW + timedelta(days=300))
    assert may_renew(dana, NOW + timedelta(days=336))
    assert may_renew(given(*two_partners(), *asked(DANA)).contacts[DANA], NOW)


def test_partners_are_told_once_in_the_notice_period_with_their_channels() -> None:
    events = [*two_partners(), *consented(DANA)]
    ends = NOW + timedelta(days=365)
    channels = {BLAIR: (SMS,)}
    early = NoticeConsentExpiry(
        now=ends - timedelta(days=15), contact_id=DANA, notice_days=14, partner_channels=channels
    )
    assert decide(given(*events), early) == []
    due = NoticeConsentExpiry(
        now=ends - timedelta(days=13), contact_id=DANA, notice_days=14, partner_channels=channels
    )
    [told] = decide(given(*events), due)
    assert isinstance(told, ConsentExpiring)
    assert told.expires_at == ends
    assert {p.recipient_id: p.channels for p in told.partners} == {
        RecipientId(ALEX): (),
        RecipientId(BLAIR): (SMS,),
    }
    assert decide(given(*events, told), due) == []
    renewed = ConsentGiven(
        contact_id=DANA,
        scope=ConsentScope(levels=(Level.CRISIS,)),
        at=ends - timedelta(days=13),
        expires_at=ends + timedelta(days=352),
    )
    assert decide(given(*events, told, renewed), due) == []  # the new end is far off
