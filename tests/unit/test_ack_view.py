"""What the acknowledge page shows one recipient: only what their scope shares."""

from datetime import UTC, datetime
from uuid import UUID

import msgspec

from contracts.ids import ActivationId, ParticipantId, PlanId, RecipientId, SignId
from contracts.vocabulary import (
    Channel,
    ChannelKind,
    ConsentScope,
    Level,
    Outcome,
    Recipient,
    RecipientKind,
)
from planner.domain.state import Acknowledgement, Activation, Partner, PlanState, WarningSign
from planner.web.ack_view import ack_view

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ALEX = ParticipantId(UUID("01950000-0000-7000-8000-000000000001"))
SAM = ParticipantId(UUID("01950000-0000-7000-8000-000000000002"))
JO = RecipientId(UUID("01950000-0000-7000-8000-000000000003"))
KIM = RecipientId(UUID("01950000-0000-7000-8000-000000000004"))
SIGN = SignId(UUID("01950000-0000-7000-8000-000000000005"))

SAM_AS_RECIPIENT = Recipient(
    recipient_id=RecipientId(SAM), kind=RecipientKind.PARTNER, display_name="Sam", tier=1
)


def contact(who: RecipientId, scope: ConsentScope | None) -> Recipient:
    return Recipient(
        recipient_id=who, kind=RecipientKind.CONTACT, display_name="Jo", tier=1, scope=scope
    )


def plan(activation: Activation) -> PlanState:
    return PlanState(
        plan_id=PlanId(UUID("01950000-0000-7000-8000-000000000009")),
        title="Ours",
        partners=(
            Partner(participant_id=ALEX, display_name="Alex"),
            Partner(participant_id=SAM, display_name="Sam"),
        ),
        signs={
            SIGN: WarningSign(
                sign_id=SIGN,
                owner_id=ALEX,
                category="sleep",
                description="up at 3",
                level=Level.SETBACK,
            )
        },
        activations={activation.activation_id: activation},
    )


ACTIVATION = Activation(
    activation_id=ActivationId(UUID("01950000-0000-7000-8000-000000000010")),
    level=Level.SETBACK,
    activated_by=ALEX,
    observed_sign_ids=(SIGN,),
    note="please call",
    recipients=(SAM_AS_RECIPIENT, contact(JO, ConsentScope()), contact(KIM, ConsentScope())),
    tiers=(),
    activated_at=NOW,
    activator_channels=(
        Channel(kind=ChannelKind.SMS, address="+15550000001"),
        Channel(kind=ChannelKind.EMAIL, address="alex@example.org"),
        Channel(kind=ChannelKind.WEBHOOK, address="https://hooks.example.org/a"),
    ),
)


def test_a_contact_who_shares_nothing_sees_no_signs_and_no_note() -> None:
    view = ack_view(plan(ACTIVATION), ACTIVATION, contact(JO, ConsentScope()))
    assert (view.asker, view.signs, view.note, view.status) == ("Alex", None, None, "open")


def test_the_other_partner_and_a_contact_who_shares_all_see_signs_and_note() -> None:
    shares = contact(JO, ConsentScope(share_signs=True, share_notes=True))
    for recipient in (SAM_AS_RECIPIENT, shares):
        view = ack_view(plan(ACTIVATION), ACTIVATION, recipient)
        assert (view.signs, view.note) == (("up at 3",), "please call")


def test_the_asker_is_reached_by_call_text_and_email_never_by_webhook() -> None:
    view = ack_view(plan(ACTIVATION), ACTIVATION, SAM_AS_RECIPIENT)
    assert [(r.label, r.href) for r in view.reach] == [
        ("Call", "tel:%2B15550000001"),
        ("Text", "sms:%2B15550000001"),
        ("E-mail", "mailto:alex@example.org"),
    ]


def test_another_contact_who_answered_first_is_not_named_a_partner_is() -> None:
    by_kim = msgspec.structs.replace(
        ACTIVATION, acknowledgements=(Acknowledgement(by=KIM, at=NOW),)
    )
    view = ack_view(plan(by_kim), by_kim, contact(JO, ConsentScope()))
    assert (view.status, view.answered_by) == ("answered", "Someone you both trust")
    by_sam = msgspec.structs.replace(
        ACTIVATION, acknowledgements=(Acknowledgement(by=RecipientId(SAM), at=NOW),)
    )
    assert ack_view(plan(by_sam), by_sam, contact(JO, ConsentScope())).answered_by == "Sam"
    assert ack_view(plan(by_sam), by_sam, SAM_AS_RECIPIENT).status == "mine"


def test_a_closed_request_says_how_it_ended() -> None:
    closed = msgspec.structs.replace(ACTIVATION, outcome=Outcome.FALSE_ALARM, resolved_at=NOW)
    assert ack_view(plan(closed), closed, SAM_AS_RECIPIENT).status == "false_alarm"
