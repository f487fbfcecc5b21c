"""A plan's history with distinctive strings, for the notifier's erasure tests.

Zephyrine (a partner, the one erased in most tests) and Borislav share a plan with Cassia,
a support contact. Each asked for help once; both activations are resolved, as the planner
requires before an erasure. Every string is made up to be found only where it was put.
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from contracts.events import (
    ActivationAcknowledged,
    ActivationResolved,
    CheckInRecorded,
    PartnerJoined,
    PlanActivated,
    PlanCreated,
    PlanEvent,
    WarningSignAdded,
    WarningSignRevised,
)
from contracts.ids import (
    ActivationId,
    CheckInId,
    ConsentRequestId,
    ContactId,
    InviteId,
    ParticipantId,
    PlanId,
    RecipientId,
    SignId,
)
from contracts.support_events import ConsentGiven, ConsentRequested, SupportContactAdded
from contracts.vocabulary import (
    ActivationTier,
    Channel,
    ChannelKind,
    ConsentScope,
    Level,
    Outcome,
    Recipient,
    RecipientKind,
)


def _id(tail: int) -> UUID:
    return UUID(f"01950000-0000-7000-8000-{tail:012x}")


AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PLAN = PlanId(_id(0xE1))
ZEPHYRINE = ParticipantId(_id(0xE2))
BORISLAV = ParticipantId(_id(0xE3))
CASSIA = ContactId(_id(0xE4))
Z_SIGN_ID, B_SIGN_ID = SignId(_id(0xE5)), SignId(_id(0xE6))
Z_ACTIVATION, B_ACTIVATION = ActivationId(_id(0xE7)), ActivationId(_id(0xE8))
REQUEST = ConsentRequestId(_id(0xE9))

Z_NAME = "Zephyrine-Q7"
Z_EMAIL = "zephyrine.q7@example.org"
Z_PHONE = "+15550107070"
Z_SIGN = "Pacing the hallway at 3am (Q7-sign)"
Z_SIGN_REVISED = "Pacing and not sleeping (Q7-sign-2)"
Z_NOTE = "A rough night, call me (Q7-note)"
Z_REFLECTION = "We talked it through (Q7-reflection)"
Z_CHECK_IN = "Tired but steady (Q7-check-in)"
Z_STRINGS = (Z_NAME, Z_EMAIL, Z_PHONE, Z_SIGN, Z_SIGN_REVISED, Z_NOTE, Z_REFLECTION, Z_CHECK_IN)

B_NAME = "Borislav-K2"
B_EMAIL = "borislav.k2@example.org"
B_SIGN = "Skipping meals (K2-sign)"
B_NOTE = "Not doing well today (K2-note)"
C_NAME = "Cassia-M3"
C_EMAIL = "cassia.m3@example.org"
C_RELATIONSHIP = "sponsor (M3-relationship)"
C_STRINGS = (C_NAME, C_EMAIL, C_RELATIONSHIP)


def email(address: str) -> Channel:
    return Channel(kind=ChannelKind.EMAIL, address=address)


Z_CHANNELS = (email(Z_EMAIL), Channel(kind=ChannelKind.SMS, address=Z_PHONE))
B_CHANNELS = (email(B_EMAIL),)
C_SCOPE = ConsentScope(share_signs=True, share_notes=True)


def partner(who: ParticipantId, name: str, channels: tuple[Channel, ...]) -> Recipient:
    return Recipient(
        recipient_id=RecipientId(who),
        kind=RecipientKind.PARTNER,
        display_name=name,
        tier=1,
        channels=channels,
    )


def cassia() -> Recipient:
    return Recipient(
        recipient_id=RecipientId(CASSIA),
        kind=RecipientKind.CONTACT,
        display_name=C_NAME,
        tier=1,
        channels=(email(C_EMAIL),),
        scope=C_SCOPE,
    )


def activation(
    activation_id: ActivationId,
    by: ParticipantId,
    note: str,
    recipients: tuple[Recipient, ...],
    sign_id: SignId,
) -> PlanActivated:
    name, channels = (Z_NAME, Z_CHANNELS) if by == ZEPHYRINE else (B_NAME, B_CHANNELS)
    return PlanActivated(
        activation_id=activation_id,
        level=Level.SETBACK,
        activated_by=by,
        observed_sign_ids=(sign_id,),
        note=note,
        recipients=recipients,
        tiers=(
            ActivationTier(
                tier=1,
                recipient_ids=tuple(r.recipient_id for r in recipients),
                ack_timeout_seconds=300,
            ),
        ),
        at=AT,
        activator_name=name,
        activator_channels=channels,
    )


def journey() -> list[PlanEvent]:
    """The plan's events, in order, each activation answered and resolved."""
    later = AT + timedelta(hours=1)
    return [
        PlanCreated(plan_id=PLAN, title="Our plan", created_by=ZEPHYRINE, creator_name=Z_NAME),
        PartnerJoined(invite_id=InviteId(_id(0xEA)), participant_id=BORISLAV, display_name=B_NAME),
        WarningSignAdded(
            sign_id=Z_SIGN_ID,
            owner_id=ZEPHYRINE,
            category="sleep",
            description=Z_SIGN,
            level=Level.SETBACK,
        ),
        WarningSignRevised(sign_id=Z_SIGN_ID, category="sleep", description=Z_SIGN_REVISED),
        WarningSignAdded(
            sign_id=B_SIGN_ID,
            owner_id=BORISLAV,
            category="food",
            description=B_SIGN,
            level=Level.SETBACK,
        ),
        SupportContactAdded(
            contact_id=CASSIA,
            display_name=C_NAME,
            relationship=C_RELATIONSHIP,
            channels=(email(C_EMAIL),),
            added_by=ZEPHYRINE,
            added_by_name=Z_NAME,
        ),
        ConsentRequested(
            contact_id=CASSIA,
            request_id=REQUEST,
            expires_at=AT + timedelta(days=3650),
            contact_name=C_NAME,
            channels=(email(C_EMAIL),),
            requested_by=ZEPHYRINE,
            requested_by_name=Z_NAME,
        ),
        ConsentGiven(contact_id=CASSIA, scope=C_SCOPE, at=AT, request_id=REQUEST),
        activation(
            Z_ACTIVATION,
            ZEPHYRINE,
            Z_NOTE,
            (partner(BORISLAV, B_NAME, B_CHANNELS), cassia()),
            Z_SIGN_ID,
        ),
        ActivationAcknowledged(activation_id=Z_ACTIVATION, by=RecipientId(CASSIA), at=later),
        ActivationResolved(
            activation_id=Z_ACTIVATION,
            outcome=Outcome.RESOLVED,
            reflection=Z_REFLECTION,
            resolved_by=ZEPHYRINE,
            at=later,
        ),
        CheckInRecorded(
            check_in_id=CheckInId(_id(0xEB)),
            participant_id=ZEPHYRINE,
            mood=3,
            craving=2,
            note=Z_CHECK_IN,
            signs_noticed=(),
            at=later,
        ),
        activation(
            B_ACTIVATION,
            BORISLAV,
            B_NOTE,
            (partner(ZEPHYRINE, Z_NAME, Z_CHANNELS), cassia()),
            B_SIGN_ID,
        ),
        ActivationAcknowledged(activation_id=B_ACTIVATION, by=RecipientId(ZEPHYRINE), at=later),
        ActivationResolved(
            activation_id=B_ACTIVATION,
            outcome=Outcome.RESOLVED,
            reflection="",
            resolved_by=BORISLAV,
            at=later,
        ),
    ]
