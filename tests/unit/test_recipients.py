"""Who an activation reaches: consent, escalation policy and tier numbering."""

from uuid import UUID

import pytest

from contracts.events import PlanEvent
from contracts.ids import RecipientId
from contracts.support_events import ConsentDeclined, ConsentWithdrawn, SupportContactRemoved
from contracts.vocabulary import (
    ActivationTier,
    ConsentScope,
    DisclosureChoice,
    Level,
    Recipient,
    RecipientKind,
)
from planner.domain.recipients import DEFAULT_ACK_TIMEOUT_SECONDS, resolve_recipients
from tests.support.builders import (
    ALEX,
    BLAIR,
    DANA,
    ELI,
    FRAN,
    NOW,
    consent_given,
    consented,
    contact_added,
    email,
    given,
    policy_set,
    solo_plan,
    two_partners,
)

BLAIR_ID = RecipientId(BLAIR)


def ids(*who: UUID) -> tuple[RecipientId, ...]:
    return tuple(RecipientId(w) for w in who)


def tiers_of(
    *events: PlanEvent, level: Level = Level.CRISIS
) -> list[tuple[int, tuple[RecipientId, ...], int]]:
    _, tiers = resolve_recipients(given(*events), level, ALEX, NOW)
    return [(t.tier, t.recipient_ids, t.ack_timeout_seconds) for t in tiers]


@pytest.mark.parametrize(
    "withheld",
    [
        [contact_added(DANA)],
        [contact_added(DANA), ConsentDeclined(contact_id=DANA, at=NOW)],
        [*consented(DANA), ConsentWithdrawn(contact_id=DANA, at=NOW)],
        [*consented(DANA), SupportContactRemoved(contact_id=DANA)],
        consented(DANA, levels=(Level.WATCH,)),
    ],
    ids=["pending", "declined", "withdrawn", "removed", "other level"],
)
def test_contact_without_consent_is_never_a_recipient(withheld: list[PlanEvent]) -> None:
    recipients, _ = resolve_recipients(given(*two_partners(), *withheld), Level.CRISIS, ALEX, NOW)
    assert [r.recipient_id for r in recipients] == [BLAIR_ID]


def test_the_activator_is_not_alerted_and_a_lone_partner_alerts_nobody() -> None:
    assert resolve_recipients(given(*solo_plan()), Level.CRISIS, ALEX, NOW) == ((), ())


def test_without_a_policy_one_tier_holds_the_partner_and_every_consenting_contact() -> None:
    events = [*two_partners(), *consented(DANA), *consented(ELI)]
    assert tiers_of(*events) == [(1, ids(BLAIR, DANA, ELI), DEFAULT_ACK_TIMEOUT_SECONDS)]


def test_recipients_carry_how_to_reach_them_and_the_scope_consented_to() -> None:
    events = [*two_partners(), *consented(DANA, levels=(Level.CRISIS,))]
    recipients, _ = resolve_recipients(given(*events), Level.CRISIS, ALEX, NOW)
    assert recipients == (
        Recipient(recipient_id=BLAIR_ID, kind=RecipientKind.PARTNER, display_name="Blair", tier=1),
        Recipient(
            recipient_id=RecipientId(DANA),
            kind=RecipientKind.CONTACT,
            display_name="Dana",
            tier=1,
            channels=(email(DANA),),
            scope=ConsentScope(levels=(Level.CRISIS,)),
            disclosure=DisclosureChoice(alert=True, share_signs=True, share_note=True),
        ),
    )


def test_a_policy_orders_the_tiers_and_the_partner_joins_the_first() -> None:
    events = [
        *two_partners(),
        *consented(DANA),
        *consented(ELI),
        *consented(FRAN),
        policy_set(Level.CRISIS, (ELI,), (DANA,), timeout=120),
    ]
    assert tiers_of(*events) == [(1, ids(BLAIR, ELI), 120), (2, ids(DANA), 120)]


def test_a_policy_reaches_only_the_contacts_it_names_that_consent() -> None:
    events = [
        *two_partners(),
        *consented(DANA),
        contact_added(ELI),
        policy_set(Level.CRISIS, (DANA, ELI)),
    ]
    assert tiers_of(*events) == [(1, ids(BLAIR, DANA), 300)]


def test_tiers_left_empty_are_dropped_and_the_rest_renumbered() -> None:
    events = [
        *solo_plan(),
        contact_added(DANA),
        *consented(ELI),
        contact_added(FRAN),
        policy_set(Level.CRISIS, (DANA,), (FRAN,), (ELI,)),
    ]
    recipients, tiers = resolve_recipients(given(*events), Level.CRISIS, ALEX, NOW)
    assert [(t.tier, t.recipient_ids) for t in tiers] == [(1, ids(ELI))]
    assert [r.tier for r in recipients] == [1]


def test_the_partner_keeps_tier_one_and_its_timeout_when_its_contacts_cannot_be_reached() -> None:
    events = [
        *two_partners(),
        contact_added(DANA),
        *consented(ELI),
        policy_set(Level.CRISIS, (DANA,), (ELI,), timeout=90),
    ]
    recipients, tiers = resolve_recipients(given(*events), Level.CRISIS, ALEX, NOW)
    assert tiers == (
        ActivationTier(tier=1, recipient_ids=ids(BLAIR), ack_timeout_seconds=90),
        ActivationTier(tier=2, recipient_ids=ids(ELI), ack_timeout_seconds=90),
    )
    assert {r.recipient_id: r.tier for r in recipients} == {BLAIR_ID: 1, RecipientId(ELI): 2}


def test_a_policy_for_another_level_does_not_apply() -> None:
    events = [*two_partners(), *consented(DANA), policy_set(Level.WATCH, (ELI,))]
    assert tiers_of(*events) == [(1, ids(BLAIR, DANA), DEFAULT_ACK_TIMEOUT_SECONDS)]


def test_consent_given_again_after_withdrawal_counts() -> None:
    events = [
        *two_partners(),
        *consented(DANA),
        ConsentWithdrawn(contact_id=DANA, at=NOW),
        consent_given(DANA),
    ]
    assert tiers_of(*events) == [(1, ids(BLAIR, DANA), DEFAULT_ACK_TIMEOUT_SECONDS)]
