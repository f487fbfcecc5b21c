"""Decider: support contacts, their consent, and escalation policies."""

import pytest

from contracts.events import (
    ConsentDeclined,
    ConsentGiven,
    ConsentWithdrawn,
    EscalationPolicySet,
    PlanEvent,
    SupportContactAdded,
    SupportContactRemoved,
)
from contracts.ids import ContactId
from contracts.vocabulary import Channel, ChannelKind, ConsentScope, Level, Tier
from planner.domain.commands import (
    AddSupportContact,
    DeclineConsent,
    GiveConsent,
    RemoveSupportContact,
    SetEscalationPolicy,
    WithdrawConsent,
)
from planner.domain.decide import decide
from planner.domain.errors import InvalidCommand, NotFound, RuleViolated
from tests.support.builders import (
    ALEX,
    DANA,
    ELI,
    FRAN,
    LATER,
    NOW,
    consented,
    contact_added,
    email,
    given,
    two_partners,
)

SMS = Channel(kind=ChannelKind.SMS, address="+15550100")


def add_contact(
    channels: tuple[Channel, ...] = (email(DANA), SMS),
    display_name: str = "Dana",
    relationship: str = "sponsor",
) -> AddSupportContact:
    return AddSupportContact(
        now=NOW,
        actor=ALEX,
        contact_id=DANA,
        display_name=display_name,
        relationship=relationship,
        channels=channels,
    )


def give(levels: tuple[Level, ...] = (Level.CRISIS,), contact_id: ContactId = DANA) -> GiveConsent:
    return GiveConsent(now=LATER, contact_id=contact_id, scope=ConsentScope(levels=levels))


def policy(*tiers: Tier) -> SetEscalationPolicy:
    return SetEscalationPolicy(now=NOW, actor=ALEX, level=Level.CRISIS, tiers=tiers)


def tier(*contact_ids: ContactId, timeout: int = 600) -> Tier:
    return Tier(contact_ids=contact_ids, ack_timeout_seconds=timeout)


def test_a_partner_adds_a_support_contact_with_their_channels() -> None:
    assert decide(given(*two_partners()), add_contact()) == [
        SupportContactAdded(
            contact_id=DANA,
            display_name="Dana",
            relationship="sponsor",
            channels=(email(DANA), SMS),
            added_by=ALEX,
            added_by_name="Alex",
        )
    ]


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (add_contact(channels=()), "channels"),
        (add_contact(channels=(SMS, SMS)), "channels"),
        (add_contact(channels=(Channel(kind=ChannelKind.SMS, address=" "),)), "channels"),
        (add_contact(display_name=" "), "display_name"),
        (add_contact(relationship=""), "relationship"),
    ],
)
def test_a_support_contact_needs_a_name_a_relationship_and_distinct_channels(
    command: AddSupportContact, field: str
) -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(given(*two_partners()), command)
    assert raised.value.field == field


def test_a_support_contact_id_is_used_once() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*two_partners(), contact_added()), add_contact())
    assert raised.value.rule == "duplicate_id"


def test_a_contact_gives_consent_through_their_link_at_the_time_they_say_so() -> None:
    assert decide(given(*two_partners(), contact_added()), give()) == [
        ConsentGiven(contact_id=DANA, scope=ConsentScope(levels=(Level.CRISIS,)), at=LATER)
    ]


def test_giving_the_same_consent_twice_changes_nothing() -> None:
    state = given(*two_partners(), *consented(DANA, levels=(Level.CRISIS,)))
    assert decide(state, give(levels=(Level.CRISIS, Level.CRISIS))) == []


def test_consent_with_another_scope_replaces_the_first() -> None:
    state = given(*two_partners(), *consented(DANA, levels=(Level.CRISIS,)))
    events = decide(state, give(levels=(Level.CRISIS, Level.WATCH)))
    assert events == [
        ConsentGiven(
            contact_id=DANA, scope=ConsentScope(levels=(Level.WATCH, Level.CRISIS)), at=LATER
        )
    ]


def test_consent_covers_at_least_one_level() -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(given(*two_partners(), contact_added()), give(levels=()))
    assert raised.value.field == "scope"


def test_consent_of_an_unknown_contact_finds_nothing() -> None:
    with pytest.raises(NotFound) as raised:
        decide(given(*two_partners()), give())
    assert (raised.value.kind, raised.value.item_id) == ("support contact", DANA)


@pytest.mark.parametrize(
    "command",
    [
        GiveConsent(now=NOW, contact_id=DANA, scope=ConsentScope()),
        DeclineConsent(now=NOW, contact_id=DANA),
        WithdrawConsent(now=NOW, contact_id=DANA),
        RemoveSupportContact(now=NOW, actor=ALEX, contact_id=DANA),
    ],
)
def test_a_removed_contact_is_as_good_as_unknown(
    command: GiveConsent | DeclineConsent | WithdrawConsent | RemoveSupportContact,
) -> None:
    state = given(*two_partners(), *consented(DANA), SupportContactRemoved(contact_id=DANA))
    with pytest.raises(NotFound):
        decide(state, command)


def test_a_contact_declines_to_be_asked() -> None:
    command = DeclineConsent(now=LATER, contact_id=DANA)
    assert decide(given(*two_partners(), contact_added()), command) == [
        ConsentDeclined(contact_id=DANA, at=LATER)
    ]


def test_declining_twice_changes_nothing() -> None:
    state = given(*two_partners(), contact_added(), ConsentDeclined(contact_id=DANA, at=NOW))
    assert decide(state, DeclineConsent(now=LATER, contact_id=DANA)) == []


def test_consent_given_is_withdrawn_not_declined() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*two_partners(), *consented(DANA)), DeclineConsent(now=LATER, contact_id=DANA))
    assert raised.value.rule == "consent_given"


def test_a_contact_withdraws_their_consent() -> None:
    command = WithdrawConsent(now=LATER, contact_id=DANA)
    assert decide(given(*two_partners(), *consented(DANA)), command) == [
        ConsentWithdrawn(contact_id=DANA, at=LATER)
    ]


def test_withdrawing_twice_changes_nothing() -> None:
    state = given(*two_partners(), *consented(DANA), ConsentWithdrawn(contact_id=DANA, at=NOW))
    assert decide(state, WithdrawConsent(now=LATER, contact_id=DANA)) == []


@pytest.mark.parametrize(
    "earlier", [[contact_added()], [contact_added(), ConsentDeclined(contact_id=DANA, at=NOW)]]
)
def test_there_is_nothing_to_withdraw_without_consent(earlier: list[PlanEvent]) -> None:
    state = given(*two_partners(), *earlier)
    with pytest.raises(RuleViolated) as raised:
        decide(state, WithdrawConsent(now=LATER, contact_id=DANA))
    assert raised.value.rule == "no_consent"


def test_a_partner_removes_a_contact() -> None:
    command = RemoveSupportContact(now=NOW, actor=ALEX, contact_id=DANA)
    assert decide(given(*two_partners(), contact_added()), command) == [
        SupportContactRemoved(contact_id=DANA)
    ]


def test_removing_an_unknown_contact_finds_nothing() -> None:
    with pytest.raises(NotFound):
        decide(given(*two_partners()), RemoveSupportContact(now=NOW, actor=ALEX, contact_id=DANA))


def test_a_policy_orders_contacts_in_tiers_whatever_their_consent() -> None:
    state = given(*two_partners(), contact_added(DANA), *consented(ELI))
    tiers = (tier(DANA, timeout=1), tier(ELI, timeout=86_400))
    assert decide(state, policy(*tiers)) == [EscalationPolicySet(level=Level.CRISIS, tiers=tiers)]


@pytest.mark.parametrize(
    ("tiers", "field"),
    [
        ((), "tiers"),
        ((tier(DANA),) * 6, "tiers"),
        ((tier(),), "tiers"),
        ((tier(DANA), tier(ELI, DANA)), "tiers"),
        ((tier(DANA, DANA),), "tiers"),
        ((tier(DANA, timeout=0),), "ack_timeout_seconds"),
        ((tier(DANA, timeout=86_401),), "ack_timeout_seconds"),
    ],
)
def test_a_policy_has_one_to_five_tiers_of_distinct_contacts_and_sane_timeouts(
    tiers: tuple[Tier, ...], field: str
) -> None:
    state = given(*two_partners(), contact_added(DANA), contact_added(ELI))
    with pytest.raises(InvalidCommand) as raised:
        decide(state, policy(*tiers))
    assert raised.value.field == field


@pytest.mark.parametrize("contact_id", [ELI, FRAN])
def test_a_policy_names_only_current_contacts(contact_id: ContactId) -> None:
    state = given(
        *two_partners(),
        contact_added(DANA),
        contact_added(ELI),
        SupportContactRemoved(contact_id=ELI),
    )
    with pytest.raises(NotFound) as raised:
        decide(state, policy(tier(DANA), tier(contact_id)))
    assert raised.value.item_id == contact_id
