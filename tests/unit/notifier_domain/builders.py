"""An activation to render and escalate: fixed ids, names, channels and consent scopes.

Alex asks for help. Tier 1: Blair (the other partner) and Dana (a contact who shares
nothing). Tier 2: Eli (a contact who shares signs and notes) and Fran (no channel at all).
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec

from contracts.events import PlanActivated
from contracts.ids import ActivationId, ParticipantId, PlanId, RecipientId, SignId
from contracts.vocabulary import (
    ActivationTier,
    Channel,
    ChannelKind,
    ConsentScope,
    Level,
    MessageKind,
    Recipient,
    RecipientKind,
)
from notifier.domain.alert_context import AlertContext
from notifier.domain.deliveries import PlannedDelivery

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
SECRET = b"s" * 32
BASE_URL = "https://tandem.example"

PLAN_ID = PlanId(UUID("01950000-0000-7000-8000-000000000001"))
ACTIVATION_ID = ActivationId(UUID("01950000-0000-7000-8000-000000000041"))
ALEX = ParticipantId(UUID("01950000-0000-7000-8000-0000000000a1"))
BLAIR = RecipientId(UUID("01950000-0000-7000-8000-0000000000b1"))
DANA = RecipientId(UUID("01950000-0000-7000-8000-0000000000d1"))
ELI = RecipientId(UUID("01950000-0000-7000-8000-0000000000e1"))
FRAN = RecipientId(UUID("01950000-0000-7000-8000-0000000000f1"))
REQUEST_ID = UUID("01950000-0000-7000-8000-0000000000d2")  # Dana's consent request
OTHER_REQUEST_ID = UUID("01950000-0000-7000-8000-0000000000d3")
SIGN_ID = SignId(UUID("01950000-0000-7000-8000-000000000021"))
OTHER_SIGN_ID = SignId(UUID("01950000-0000-7000-8000-000000000022"))

SIGN_TEXT = "Up past 3am, skipping meetings"
NOTE_TEXT = "Rough day, please call me tonight"
SIGNS: dict[UUID, str] = {SIGN_ID: SIGN_TEXT, OTHER_SIGN_ID: "Not answering texts"}
ACK_URL = f"{BASE_URL}/v1/acks/" + "t" * 300  # as long as a real token
CONSENT_URL = f"{BASE_URL}/v1/consents/" + "c" * 200

ALEX_SMS = Channel(kind=ChannelKind.SMS, address="+15550000001")
ALEX_EMAIL = Channel(kind=ChannelKind.EMAIL, address="alex@example.org")
ALEX_HOOK = Channel(kind=ChannelKind.WEBHOOK, address="https://hooks.example.org/alex")
BLAIR_SMS = Channel(kind=ChannelKind.SMS, address="+15550000002")
BLAIR_EMAIL = Channel(kind=ChannelKind.EMAIL, address="blair@example.org")
DANA_EMAIL = Channel(kind=ChannelKind.EMAIL, address="dana@example.org")
DANA_HOOK = Channel(kind=ChannelKind.WEBHOOK, address="https://hooks.example.org/dana")
ELI_SMS = Channel(kind=ChannelKind.SMS, address="+15550000005")

SHARES_NOTHING = ConsentScope()
SHARES_ALL = ConsentScope(share_signs=True, share_notes=True)


def recipient(
    rid: RecipientId,
    name: str,
    tier: int,
    *channels: Channel,
    scope: ConsentScope | None = SHARES_NOTHING,
) -> Recipient:
    kind = RecipientKind.PARTNER if scope is None else RecipientKind.CONTACT
    return Recipient(
        recipient_id=rid, kind=kind, display_name=name, tier=tier, channels=channels, scope=scope
    )


RECIPIENTS = (
    recipient(BLAIR, "Blair", 1, BLAIR_SMS, BLAIR_EMAIL, scope=None),
    recipient(DANA, "Dana", 1, DANA_EMAIL, DANA_HOOK),
    recipient(ELI, "Eli", 2, ELI_SMS, scope=SHARES_ALL),
    recipient(FRAN, "Fran", 2),
)
TIERS = (
    ActivationTier(tier=1, recipient_ids=(BLAIR, DANA), ack_timeout_seconds=300),
    ActivationTier(tier=2, recipient_ids=(ELI, FRAN), ack_timeout_seconds=600),
)


def activation(
    *,
    note: str = NOTE_TEXT,
    recipients: tuple[Recipient, ...] = RECIPIENTS,
    tiers: tuple[ActivationTier, ...] = TIERS,
    activator_channels: tuple[Channel, ...] = (ALEX_SMS, ALEX_EMAIL, ALEX_HOOK),
    activator_name: str = "Alex",
) -> PlanActivated:
    return PlanActivated(
        activation_id=ACTIVATION_ID,
        level=Level.SETBACK,
        activated_by=ALEX,
        observed_sign_ids=(SIGN_ID,),
        note=note,
        recipients=recipients,
        tiers=tiers,
        at=NOW,
        activator_name=activator_name,
        activator_channels=activator_channels,
    )


def delivery(
    rid: UUID,
    channel: Channel,
    *,
    name: str = "",
    tier: int = 1,
    message: MessageKind = MessageKind.ALERT,
    activation_id: UUID | None = ACTIVATION_ID,
) -> PlannedDelivery:
    return PlannedDelivery(
        activation_id=activation_id,
        plan_id=PLAN_ID,
        recipient_id=rid,
        recipient_name=name,
        channel=channel,
        tier=tier,
        message=message,
    )


def context(activated: PlanActivated | None = None, /, **changes: object) -> AlertContext:
    """The context of an alert of ``activated`` (the default activation), with ``changes``."""
    base = AlertContext(
        activation=activation() if activated is None else activated,
        sequence=7,
        sent_at=NOW,
        signs=SIGNS,
        ack_url=ACK_URL,
        acknowledged_by_name="Dana",
    )
    return msgspec.structs.replace(base, **changes)
