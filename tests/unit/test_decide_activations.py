"""Decider: activating the plan, acknowledging and resolving the activation."""

import msgspec
import pytest

from contracts.events import (
    ActivationAcknowledged,
    ActivationResolved,
    PlanActivated,
    PlanEvent,
    decode,
    encode,
)
from contracts.ids import ActivationId, RecipientId, SignId
from contracts.vocabulary import (
    ActivationTier,
    Channel,
    ChannelKind,
    Level,
    Outcome,
    Recipient,
    RecipientKind,
)
from planner.domain.commands import (
    AcknowledgeActivation,
    ActivatePlan,
    ResolveActivation,
)
from planner.domain.decide import decide
from planner.domain.errors import NotARecipient, NotFound, RuleViolated
from planner.domain.recipients import DEFAULT_ACK_TIMEOUT_SECONDS
from tests.support.builders import (
    ACTIVATION_ID,
    ALEX,
    BLAIR,
    CASEY,
    DANA,
    LATER,
    NOW,
    OTHER_ACTIVATION_ID,
    SIGN_ID,
    activated,
    consented,
    contact_added,
    given,
    resolved,
    sign_added,
    sign_retired,
    solo_plan,
    two_partners,
)

BLAIR_ID = RecipientId(BLAIR)
BLAIR_IN_TIER_1 = Recipient(
    recipient_id=BLAIR_ID, kind=RecipientKind.PARTNER, display_name="Blair", tier=1
)


def activate(
    level: Level = Level.SETBACK,
    activation_id: ActivationId = ACTIVATION_ID,
    signs: tuple[SignId, ...] = (),
) -> ActivatePlan:
    return ActivatePlan(
        now=NOW,
        actor=ALEX,
        activation_id=activation_id,
        level=level,
        observed_sign_ids=signs,
        note="rough week",
    )


def acknowledge(by: RecipientId = BLAIR_ID) -> AcknowledgeActivation:
    return AcknowledgeActivation(now=LATER, activation_id=ACTIVATION_ID, by=by)


def opened() -> list[PlanEvent]:
    """Two partners and an open setback activation by Alex."""
    return [*two_partners(), activated(two_partners())]


def test_activating_alerts_the_other_partner_in_tier_one() -> None:
    events = decide(given(*two_partners(), sign_added()), activate(signs=(SIGN_ID,)))
    assert events == [
        PlanActivated(
            activation_id=ACTIVATION_ID,
            level=Level.SETBACK,
            activated_by=ALEX,
            observed_sign_ids=(SIGN_ID,),
            note="rough week",
            recipients=(BLAIR_IN_TIER_1,),
            tiers=(
                ActivationTier(
                    tier=1,
                    recipient_ids=(RecipientId(BLAIR),),
                    ack_timeout_seconds=DEFAULT_ACK_TIMEOUT_SECONDS,
                ),
            ),
            at=NOW,
            activator_name="Alex",
        )
    ]
    assert decode(encode(events[0])) == events[0]


def test_partners_own_channels_are_frozen_into_the_activation() -> None:
    email = Channel(kind=ChannelKind.EMAIL, address="blair@example.org")
    sms = Channel(kind=ChannelKind.SMS, address="+15550100")
    command = msgspec.structs.replace(activate(), partner_channels={BLAIR: (email,), ALEX: (sms,)})
    [event] = decide(given(*two_partners()), command)
    assert isinstance(event, PlanActivated)
    [blair] = event.recipients
    assert blair.channels == (email,)
    assert event.activator_channels == (sms,)


def test_one_activation_per_level_is_open_at_a_time() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*opened()), activate(activation_id=OTHER_ACTIVATION_ID))
    assert raised.value.rule == "activation_open"


def test_another_level_may_be_activated_while_one_is_open() -> None:
    command = activate(level=Level.CRISIS, activation_id=OTHER_ACTIVATION_ID)
    (event,) = decide(given(*opened()), command)
    assert isinstance(event, PlanActivated)


def test_a_level_may_be_activated_again_once_resolved() -> None:
    state = given(*opened(), resolved())
    (event,) = decide(state, activate(activation_id=OTHER_ACTIVATION_ID))
    assert isinstance(event, PlanActivated)


def test_an_activation_id_is_used_once() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*opened(), resolved()), activate())
    assert raised.value.rule == "duplicate_id"


@pytest.mark.parametrize("earlier", [[], [sign_added(), sign_retired()]])
def test_only_current_signs_can_be_observed(earlier: list[PlanEvent]) -> None:
    with pytest.raises(NotFound) as raised:
        decide(given(*two_partners(), *earlier), activate(signs=(SIGN_ID,)))
    assert (raised.value.kind, raised.value.item_id) == ("warning sign", SIGN_ID)


def test_activation_needs_someone_to_alert() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*solo_plan()), activate())
    assert raised.value.rule == "no_reachable_recipient"


def test_a_contact_without_consent_does_not_make_an_activation_reachable() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*solo_plan(), contact_added(DANA)), activate())
    assert raised.value.rule == "no_reachable_recipient"


def test_a_recipient_acknowledges_an_activation() -> None:
    assert decide(given(*opened()), acknowledge()) == [
        ActivationAcknowledged(activation_id=ACTIVATION_ID, by=RecipientId(BLAIR), at=LATER)
    ]


def test_a_contact_acknowledges_through_their_link_without_being_a_partner() -> None:
    events = [*two_partners(), *consented(DANA)]
    state = given(*events, activated(events))
    assert decide(state, acknowledge(by=RecipientId(DANA))) == [
        ActivationAcknowledged(activation_id=ACTIVATION_ID, by=RecipientId(DANA), at=LATER)
    ]


def test_acknowledging_an_unknown_activation_finds_nothing() -> None:
    with pytest.raises(NotFound) as raised:
        decide(given(*two_partners()), acknowledge())
    assert raised.value.kind == "activation"


def test_a_closed_activation_cannot_be_acknowledged() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*opened(), resolved()), acknowledge())
    assert raised.value.rule == "activation_closed"


@pytest.mark.parametrize("who", [ALEX, CASEY, DANA])
def test_only_a_recipient_may_acknowledge(who: RecipientId) -> None:
    with pytest.raises(NotARecipient) as raised:
        decide(given(*opened()), acknowledge(by=RecipientId(who)))
    assert raised.value.who == who


def test_acknowledging_twice_changes_nothing() -> None:
    state = given(*opened(), *decide(given(*opened()), acknowledge()))
    assert decide(state, acknowledge()) == []


def test_a_partner_resolves_an_activation() -> None:
    command = ResolveActivation(
        now=LATER,
        actor=BLAIR,
        activation_id=ACTIVATION_ID,
        outcome=Outcome.FALSE_ALARM,
        reflection=" all fine ",
    )
    assert decide(given(*opened()), command) == [
        ActivationResolved(
            activation_id=ACTIVATION_ID,
            outcome=Outcome.FALSE_ALARM,
            reflection="all fine",
            resolved_by=BLAIR,
            at=LATER,
        )
    ]


def test_resolving_an_unknown_activation_finds_nothing() -> None:
    command = ResolveActivation(
        now=LATER, actor=ALEX, activation_id=ACTIVATION_ID, outcome=Outcome.RESOLVED
    )
    with pytest.raises(NotFound):
        decide(given(*two_partners()), command)


def test_an_activation_is_resolved_once() -> None:
    command = ResolveActivation(
        now=LATER, actor=ALEX, activation_id=ACTIVATION_ID, outcome=Outcome.RESOLVED
    )
    with pytest.raises(RuleViolated) as raised:
        decide(given(*opened(), resolved()), command)
    assert raised.value.rule == "activation_closed"
