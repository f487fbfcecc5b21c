"""A person's accounting of disclosures, from the events alone: given a plan's history and
the deliveries reported, each message about them to someone else, with what it carried
and under which consents."""

from datetime import UTC, datetime
from uuid import UUID

import msgspec

from contracts.delivery_events import AlertDeliveryRecorded
from contracts.disclosure import Field
from contracts.events import (
    ActivationAcknowledged,
    PartnerJoined,
    PlanActivated,
    PlanCreated,
    PlanEvent,
    WarningSignAdded,
)
from contracts.ids import (
    ActivationId,
    ConsentRequestId,
    ContactId,
    InviteId,
    ParticipantId,
    PlanId,
    RecipientId,
    SignId,
)
from contracts.support_events import (
    ConsentGiven,
    ConsentRequested,
    DisclosureRequested,
    SupportContactAdded,
)
from contracts.vocabulary import (
    ActivationTier,
    Channel,
    ChannelKind,
    ConsentScope,
    DeliveryStatus,
    DisclosureChoice,
    Level,
    MessageKind,
    Recipient,
    RecipientKind,
)
from planner.domain.disclosure_facts import Recorded, facts_of
from planner.domain.disclosures import Disclosure, disclosures_about

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
PLAN = PlanId(UUID(int=1))
ALEX, SAM = ParticipantId(UUID(int=2)), ParticipantId(UUID(int=3))
JO, KAI = ContactId(UUID(int=4)), ContactId(UUID(int=5))
SIGN_A, SIGN_B = SignId(UUID(int=6)), SignId(UUID(int=7))
ACTIVATION = ActivationId(UUID(int=8))
REQUEST = ConsentRequestId(UUID(int=9))
EMAIL = Channel(kind=ChannelKind.EMAIL, address="x@example.org")
ALL = ConsentScope(share_signs=True, share_notes=True)
YES = DisclosureChoice(alert=True, share_signs=True, share_note=True)


def eid(n: int) -> UUID:
    return UUID(int=1000 + n)


def added(contact: ContactId, name: str, choice: DisclosureChoice) -> SupportContactAdded:
    return SupportContactAdded(
        contact_id=contact,
        display_name=name,
        relationship="friend",
        channels=(EMAIL,),
        added_by=ALEX,
        added_by_name="Alex",
        adder_disclosure=choice,
    )


def report(n: int, to: UUID, message: MessageKind, **more: object) -> AlertDeliveryRecorded:
    values: dict[str, object] = {
        "delivery_id": UUID(int=2000 + n),
        "activation_id": ACTIVATION,
        "recipient_id": to,
        "channel": ChannelKind.EMAIL,
        "message": message,
        "status": DeliveryStatus.SENT,
        "at": NOW,
        "plan_id": PLAN,
    }
    values.update(more)
    return AlertDeliveryRecorded(**values)  # type: ignore[arg-type]


ACTIVATED = PlanActivated(
    activation_id=ACTIVATION,
    level=Level.CRISIS,
    activated_by=ALEX,
    observed_sign_ids=(SIGN_A, SIGN_B),
    note="rough night",
    recipients=(
        Recipient(
            recipient_id=RecipientId(SAM),
            kind=RecipientKind.PARTNER,
            display_name="Sam",
            tier=1,
            channels=(EMAIL,),
        ),
        Recipient(
            recipient_id=RecipientId(JO),
            kind=RecipientKind.CONTACT,
            display_name="Jo",
            tier=1,
            channels=(EMAIL,),
            scope=ALL,
            disclosure=YES,
        ),
        Recipient(
            recipient_id=RecipientId(KAI),
            kind=RecipientKind.CONTACT,
            display_name="Kai",
            tier=1,
            channels=(EMAIL,),
            scope=ConsentScope(),
            disclosure=DisclosureChoice(alert=True),
        ),
    ),
    tiers=(
        ActivationTier(
            tier=1,
            recipient_ids=(RecipientId(SAM), RecipientId(JO), RecipientId(KAI)),
            ack_timeout_seconds=60,
        ),
    ),
    at=NOW,
    activator_name="Alex",
    activator_channels=(Channel(kind=ChannelKind.SMS, address="+15550100000"),),
)
HISTORY: list[PlanEvent] = [
    PlanCreated(plan_id=PLAN, title="Ours", created_by=ALEX, creator_name="Alex"),  # 1
    PartnerJoined(invite_id=InviteId(UUID(int=99)), participant_id=SAM, display_name="Sam"),  # 2
    WarningSignAdded(
        sign_id=SIGN_A, owner_id=ALEX, category="c", description="a", level=Level.WATCH
    ),
    WarningSignAdded(
        sign_id=SIGN_B, owner_id=SAM, category="c", description="b", level=Level.WATCH
    ),
    added(JO, "Jo", YES),  # 5
    ConsentRequested(
        contact_id=JO,
        request_id=REQUEST,
        expires_at=NOW,
        contact_name="Jo",
        channels=(EMAIL,),
        requested_by=ALEX,
        requested_by_name="Alex",
    ),  # 6
    ConsentGiven(contact_id=JO, scope=ALL, at=NOW, request_id=REQUEST),  # 7
    added(KAI, "Kai", DisclosureChoice(alert=True)),  # 8
    ConsentGiven(contact_id=KAI, scope=ConsentScope(), at=NOW),  # 9
    DisclosureRequested(
        contact_id=JO,
        partner_id=SAM,
        partner_name="Sam",
        contact_name="Jo",
        requested_by=ALEX,
        requested_by_name="Alex",
        at=NOW,
    ),  # 10
    ACTIVATED,  # 11
    ActivationAcknowledged(activation_id=ACTIVATION, by=RecipientId(SAM), at=NOW),  # 12
    report(1, JO, MessageKind.CONSENT_REQUEST, activation_id=None, request_id=REQUEST),  # 13
    report(2, SAM, MessageKind.DISCLOSURE_REQUEST, activation_id=None, request_id=eid(10)),
    report(3, SAM, MessageKind.ALERT, channel=ChannelKind.WEBHOOK),  # 15
    report(4, JO, MessageKind.ALERT, status=DeliveryStatus.FAILED, reason="timeout"),  # 16
    report(5, KAI, MessageKind.ALERT, channel=ChannelKind.SMS),  # 17
    report(4, JO, MessageKind.ALERT),  # 18: the failing delivery went through after all
    report(6, ALEX, MessageKind.ACK_NOTE, tier=0),  # 19
    report(7, ALEX, MessageKind.NO_ANSWER, tier=0, about=KAI),  # 20: names a contact
    report(8, JO, MessageKind.ALL_CLEAR, channel=ChannelKind.WEBHOOK, tier=0),  # 21
]


def accounting(person: UUID, history: list[PlanEvent] = HISTORY) -> list[Disclosure]:
    recorded = [Recorded(event_id=eid(n), position=n, event=e) for n, e in enumerate(history, 1)]
    return disclosures_about(facts_of(PLAN, recorded), person)


def summary(rows: list[Disclosure]) -> list[tuple[str, UUID, list[str], list[UUID], str]]:
    return [
        (
            r.message.value,
            r.to.recipient_id,
            [f.value for f in r.fields],
            [c.event_id for c in r.consents],
            r.status.value,
        )
        for r in rows
    ]


EVERYTHING = ["name", "level", "signs", "note", "contact_details"]


def test_the_asker_sees_every_message_about_them_with_its_fields_and_consents() -> None:
    assert summary(accounting(ALEX)) == [
        ("consent_request", JO, ["name"], [eid(6)], "sent"),
        ("disclosure_request", SAM, ["name"], [eid(10), eid(2)], "sent"),
        ("alert", SAM, EVERYTHING, [eid(2)], "sent"),
        ("alert", JO, EVERYTHING, [eid(7), eid(5)], "sent"),
        ("alert", KAI, ["name", "level", "contact_details"], [eid(9), eid(8)], "sent"),
        ("all_clear", JO, ["name", "level"], [eid(7), eid(5)], "sent"),
    ]


def test_a_delivery_reported_failed_then_sent_is_one_row_at_its_first_report() -> None:
    [to_jo] = [
        r for r in accounting(ALEX) if r.message is MessageKind.ALERT and r.to.recipient_id == JO
    ]
    assert to_jo.position == 16
    assert to_jo.status is DeliveryStatus.SENT
    assert to_jo.to.display_name == "Jo"


def test_the_other_partner_sees_their_sign_shown_and_their_name_told_to_the_asker() -> None:
    assert summary(accounting(SAM)) == [
        ("alert", JO, ["signs"], [eid(7), eid(5)], "sent"),  # Sam's sign, shown to Jo
        ("ack_note", ALEX, ["name"], [eid(1)], "sent"),  # "Sam is on it", told to Alex
    ]


def test_an_empty_note_and_no_way_to_reach_the_asker_are_not_counted() -> None:
    quiet = msgspec.structs.replace(
        ACTIVATED, note="  ", activator_channels=(), observed_sign_ids=()
    )
    history = [quiet if e is ACTIVATED else e for e in HISTORY]
    [alert] = [
        r
        for r in accounting(ALEX, history)
        if r.message is MessageKind.ALERT and r.to.recipient_id == JO
    ]
    assert alert.fields == [Field.NAME, Field.LEVEL]


def test_a_report_of_another_plan_on_a_shared_stream_is_not_counted() -> None:
    elsewhere = report(
        9,
        JO,
        MessageKind.CONSENT_REQUEST,
        activation_id=None,
        request_id=REQUEST,
        plan_id=PlanId(UUID(int=77)),
    )
    assert summary(accounting(ALEX, [*HISTORY, elsewhere])) == summary(accounting(ALEX))


def test_an_older_consent_request_report_is_matched_to_the_latest_request_before_it() -> None:
    older = [
        report(1, JO, MessageKind.CONSENT_REQUEST, activation_id=None)
        if isinstance(e, AlertDeliveryRecorded) and e.delivery_id == UUID(int=2001)
        else e
        for e in HISTORY
    ]
    [asked] = [r for r in accounting(ALEX, older) if r.message is MessageKind.CONSENT_REQUEST]
    assert [c.event_id for c in asked.consents] == [eid(6)]


def test_a_note_that_the_other_partner_could_not_be_reached_is_in_their_accounting() -> None:
    unreached = report(10, ALEX, MessageKind.NO_ANSWER, tier=0, about=SAM)
    nobody = report(11, ALEX, MessageKind.NO_ANSWER, tier=0)  # "nobody has answered": no one
    rows = summary(accounting(SAM, [*HISTORY, unreached, nobody]))
    assert rows[-1] == ("no_answer", ALEX, ["name"], [eid(1)], "sent")
    assert len(rows) == 3
