"""Decider: support contacts, their consent, and escalation policies."""

from datetime import datetime, timedelta

import pytest

from contracts.events import PlanEvent
from contracts.ids import ConsentRequestId, ContactId, ParticipantId
from contracts.support_events import (
    ConsentDeclined,
    ConsentGiven,
    ConsentRequested,
    ConsentWithdrawn,
    DisclosureRequested,
    EscalationPolicySet,
    SupportContactAdded,
    SupportContactRemoved,
)
from contracts.vocabulary import Channel, ChannelKind, ConsentScope, DisclosureChoice, Level, Tier
from planner.domain.commands import (
    AddSupportContact,
    DeclineConsent,
    GiveConsent,
    RemoveSupportContact,
    RequestConsent,
    SetEscalationPolicy,
    WithdrawConsent,
)
from planner.domain.decide import decide
from planner.domain.errors import (
    ConsentRequestClosed,
    InvalidCommand,
    NotAPartner,
    NotFound,
    RuleViolated,
)
from tests.support.builders import (
    ALEX,
    BLAIR,
    CASEY,
    DANA,
    ELI,
    FRAN,
    LATER,
    NOW,
    OTHER_REQUEST_ID,
    REQUEST_EXPIRES,
    REQUEST_IDS,
    asked,
    consent_given,
    consent_requested,
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
        request_id=REQUEST_IDS[DANA],
        request_expires_at=REQUEST_EXPIRES,
    )


def give(
    levels: tuple[Level, ...] = (Level.CRISIS,),
    contact_id: ContactId = DANA,
    request_id: ConsentRequestId | None = REQUEST_IDS[DANA],
    now: datetime = LATER,
) -> GiveConsent:
    return GiveConsent(
        now=now, contact_id=contact_id, request_id=request_id, scope=ConsentScope(levels=levels)
    )


def decline(
    request_id: ConsentRequestId | None = REQUEST_IDS[DANA], now: datetime = LATER
) -> DeclineConsent:
    return DeclineConsent(now=now, contact_id=DANA, request_id=request_id)


def withdraw(
    request_id: ConsentRequestId | None = REQUEST_IDS[DANA], now: datetime = LATER
) -> WithdrawConsent:
    return WithdrawConsent(now=now, contact_id=DANA, request_id=request_id)


def ask_again(now: datetime = LATER, actor: ParticipantId = ALEX) -> RequestConsent:
    return RequestConsent(
        now=now,
        actor=actor,
        contact_id=DANA,
        request_id=OTHER_REQUEST_ID,
        expires_at=now + timedelta(days=30),
    )


def declined(request_id: ConsentRequestId = REQUEST_IDS[DANA]) -> ConsentDeclined:
    return ConsentDeclined(contact_id=DANA, at=NOW, request_id=request_id)


def withdrawn(request_id: ConsentRequestId | None = REQUEST_IDS[DANA]) -> ConsentWithdrawn:
    return ConsentWithdrawn(contact_id=DANA, at=NOW, request_id=request_id)


def policy(*tiers: Tier) -> SetEscalationPolicy:
    return SetEscalationPolicy(now=NOW, actor=ALEX, level=Level.CRISIS, tiers=tiers)


def tier(*contact_ids: ContactId, timeout: int = 600) -> Tier:
    return Tier(contact_ids=contact_ids, ack_timeout_seconds=timeout)


def test_a_partner_adds_a_support_contact_who_is_asked_on_their_own_channels() -> None:
    assert decide(given(*two_partners()), add_contact()) == [
        SupportContactAdded(
            contact_id=DANA,
            display_name="Dana",
            relationship="sponsor",
            channels=(email(DANA), SMS),
            added_by=ALEX,
            added_by_name="Alex",
            adder_disclosure=DisclosureChoice(alert=True),
        ),
        ConsentRequested(
            contact_id=DANA,
            request_id=REQUEST_IDS[DANA],
            expires_at=REQUEST_EXPIRES,
            contact_name="Dana",
            channels=(email(DANA), SMS),
            requested_by=ALEX,
            requested_by_name="Alex",
        ),
        DisclosureRequested(
            contact_id=DANA,
            partner_id=BLAIR,
            partner_name="Blair",
            contact_name="Dana",
            requested_by=ALEX,
            requested_by_name="Alex",
            at=NOW,
        ),
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
    assert decide(given(*two_partners(), *asked()), give()) == [
        ConsentGiven(
            contact_id=DANA,
            scope=ConsentScope(levels=(Level.CRISIS,)),
            at=LATER,
            request_id=REQUEST_IDS[DANA],
            expires_at=LATER + timedelta(days=365),
        )
    ]


def test_giving_the_same_consent_twice_changes_nothing() -> None:
    state = given(*two_partners(), *consented(DANA, levels=(Level.CRISIS,)))
    assert decide(state, give(levels=(Level.CRISIS, Level.CRISIS))) == []


@pytest.mark.parametrize(
    ("answered", "command"),
    [
        ([consent_given(DANA, levels=(Level.CRISIS,))], give(levels=(Level.CRISIS, Level.WATCH))),
        ([declined()], give()),
        ([consent_given(DANA), withdrawn()], give()),
        ([consent_given(DANA), withdrawn()], decline()),
    ],
    ids=["another scope", "accept after declining", "accept after withdrawing", "decline after"],
)
def test_a_decision_is_final_for_its_link(
    answered: list[PlanEvent], command: GiveConsent | DeclineConsent
) -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*two_partners(), *asked(), *answered), command)
    assert raised.value.rule == "consent_request_decided"


def test_consent_with_another_scope_comes_through_a_new_request() -> None:
    state = given(
        *two_partners(),
        *consented(DANA, levels=(Level.CRISIS,)),
        withdrawn(),
        consent_requested(DANA, OTHER_REQUEST_ID),
    )
    events = decide(state, give(levels=(Level.CRISIS, Level.WATCH), request_id=OTHER_REQUEST_ID))
    assert events == [
        ConsentGiven(
            contact_id=DANA,
            scope=ConsentScope(levels=(Level.WATCH, Level.CRISIS)),
            at=LATER,
            request_id=OTHER_REQUEST_ID,
            expires_at=LATER + timedelta(days=365),
        )
    ]


@pytest.mark.parametrize("command", [give(now=REQUEST_EXPIRES), decline(now=REQUEST_EXPIRES)])
def test_an_expired_link_decides_nothing(command: GiveConsent | DeclineConsent) -> None:
    with pytest.raises(ConsentRequestClosed) as raised:
        decide(given(*two_partners(), *asked()), command)
    assert raised.value.reason == "expired"


@pytest.mark.parametrize("command", [give(), decline(), withdraw()])
def test_a_link_replaced_by_a_newer_request_decides_nothing(
    command: GiveConsent | DeclineConsent | WithdrawConsent,
) -> None:
    state = given(*two_partners(), *asked(), declined(), consent_requested(DANA, OTHER_REQUEST_ID))
    with pytest.raises(ConsentRequestClosed) as raised:
        decide(state, command)
    assert raised.value.reason == "replaced"


@pytest.mark.parametrize("command", [give(request_id=None), decline(request_id=None)])
def test_a_link_from_before_requests_had_their_own_decides_nothing(
    command: GiveConsent | DeclineConsent,
) -> None:
    for earlier in ([contact_added()], asked()):
        with pytest.raises(ConsentRequestClosed) as raised:
            decide(given(*two_partners(), *earlier), command)
        assert raised.value.reason == "outdated"


def test_consent_covers_at_least_one_level() -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(given(*two_partners(), *asked()), give(levels=()))
    assert raised.value.field == "scope"


def test_consent_of_an_unknown_contact_finds_nothing() -> None:
    with pytest.raises(NotFound) as raised:
        decide(given(*two_partners()), give())
    assert (raised.value.kind, raised.value.item_id) == ("support contact", DANA)


@pytest.mark.parametrize(
    "command",
    [
        give(),
        decline(),
        withdraw(),
        ask_again(),
        RemoveSupportContact(now=NOW, actor=ALEX, contact_id=DANA),
    ],
)
def test_a_removed_contact_is_as_good_as_unknown(
    command: GiveConsent | DeclineConsent | WithdrawConsent | RequestConsent | RemoveSupportContact,
) -> None:
    state = given(*two_partners(), *consented(DANA), SupportContactRemoved(contact_id=DANA))
    with pytest.raises(NotFound):
        decide(state, command)


def test_a_contact_declines_to_be_asked() -> None:
    assert decide(given(*two_partners(), *asked()), decline()) == [
        ConsentDeclined(contact_id=DANA, at=LATER, request_id=REQUEST_IDS[DANA])
    ]


def test_declining_twice_changes_nothing() -> None:
    assert decide(given(*two_partners(), *asked(), declined()), decline()) == []


def test_consent_given_is_withdrawn_not_declined() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*two_partners(), *consented(DANA)), decline())
    assert raised.value.rule == "consent_given"


def test_a_contact_withdraws_their_consent() -> None:
    assert decide(given(*two_partners(), *consented(DANA)), withdraw()) == [
        ConsentWithdrawn(contact_id=DANA, at=LATER, request_id=REQUEST_IDS[DANA])
    ]


def test_withdrawing_outlives_the_links_expiry() -> None:
    state = given(*two_partners(), *consented(DANA))
    assert decide(state, withdraw(now=REQUEST_EXPIRES + timedelta(days=400))) != []


def test_a_consent_given_through_an_older_kind_of_link_can_still_be_withdrawn() -> None:
    state = given(
        *two_partners(),
        contact_added(),
        ConsentGiven(contact_id=DANA, at=NOW, scope=ConsentScope()),
    )
    assert decide(state, withdraw(request_id=None)) == [ConsentWithdrawn(contact_id=DANA, at=LATER)]


def test_withdrawing_twice_changes_nothing() -> None:
    state = given(*two_partners(), *consented(DANA), withdrawn())
    assert decide(state, withdraw()) == []


@pytest.mark.parametrize("earlier", [asked(), [*asked(), declined()]])
def test_there_is_nothing_to_withdraw_without_consent(earlier: list[PlanEvent]) -> None:
    state = given(*two_partners(), *earlier)
    with pytest.raises(RuleViolated) as raised:
        decide(state, withdraw())
    assert raised.value.rule == "no_consent"


@pytest.mark.parametrize(
    ("earlier", "now"),
    [
        ([*asked(), declined()], LATER),
        ([*consented(DANA), withdrawn()], LATER),
        (asked(), REQUEST_EXPIRES),
        ([contact_added()], LATER),  # asked, before requests had links of their own
    ],
    ids=["declined", "withdrawn", "expired", "older contact"],
)
def test_a_partner_asks_again_with_a_new_request(earlier: list[PlanEvent], now: datetime) -> None:
    assert decide(given(*two_partners(), *earlier), ask_again(now)) == [
        ConsentRequested(
            contact_id=DANA,
            request_id=OTHER_REQUEST_ID,
            expires_at=now + timedelta(days=30),
            contact_name="Dana",
            channels=(email(DANA),),
            requested_by=ALEX,
            requested_by_name="Alex",
        )
    ]


@pytest.mark.parametrize(
    ("earlier", "rule"),
    [(asked(), "consent_request_open"), (consented(DANA), "consent_given")],
)
def test_asking_again_waits_for_an_answer_or_the_expiry(
    earlier: list[PlanEvent], rule: str
) -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*two_partners(), *earlier), ask_again())
    assert raised.value.rule == rule


def test_only_a_partner_asks_for_consent() -> None:
    with pytest.raises(NotAPartner):
        decide(given(*two_partners(), *asked(), declined()), ask_again(actor=CASEY))


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
