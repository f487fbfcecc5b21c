"""What each plan event means to the notifier, applied to the ledger in one transaction.

Decisions come from the pure domain; this module only reads and writes the ledger. Claims
and timers land together or not at all, and every claim is idempotent, so handling the
same event twice (a redelivery, a replay) claims nothing new.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from uuid import UUID

from contracts.envelope import Envelope
from contracts.events import (
    ActivationAcknowledged,
    ActivationResolved,
    Channel,
    PlanActivated,
    PlanEvent,
    SupportContactAdded,
    WarningSignAdded,
    WarningSignRevised,
)
from notifier.domain import deliveries as plan
from notifier.domain.alert_context import AlertContext
from notifier.domain.alert_text import Rendered, render
from notifier.domain.deliveries import PlannedDelivery
from notifier.domain.escalation import ActivationStatus, fires_at
from notifier.domain.links import ack_link, consent_link
from notifier.ledger import activations, claims, timers
from notifier.ledger.sessions import Connection
from notifier.settings import NotifierSettings

# The events ``Handling.handle`` acts on; every other plan event means nothing here.
ACTED_ON = (
    WarningSignAdded,
    WarningSignRevised,
    SupportContactAdded,
    PlanActivated,
    ActivationAcknowledged,
    ActivationResolved,
)


def acts_on(event: PlanEvent) -> bool:
    """Whether handling ``event`` can touch the ledger (else: ack it, no transaction)."""
    return isinstance(event, ACTED_ON)


class NotYetKnown(Exception):
    """An answer to an activation this notifier has not seen yet: retry after a delay."""


class Handling:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings

    async def handle(self, conn: Connection, envelope: Envelope) -> None:
        """Apply one plan event (inside the caller's transaction)."""
        plan_id, event = envelope.stream_id, envelope.event
        match event:
            case WarningSignAdded() | WarningSignRevised():
                await activations.remember_sign(conn, event.sign_id, plan_id, event.description)
            case SupportContactAdded():
                planned = plan.consent_request_deliveries(plan_id, event)
                asked_by = (event.added_by_name,) if event.added_by_name else ()
                await claims.claim(conn, planned, self.renderer(None, {}, partner_names=asked_by))
            case PlanActivated():
                await self.activated(conn, plan_id, event)
            case ActivationAcknowledged():
                await self.acknowledged(conn, event)
            case ActivationResolved():
                await self.resolved(conn, event)
            case _:
                pass  # nothing to send for the other events

    async def activated(self, conn: Connection, plan_id: UUID, event: PlanActivated) -> None:
        if not await activations.remember_activation(conn, plan_id, event):  # known already
            record = await activations.load_activation(conn, event.activation_id)
            if record is None or record.status is not ActivationStatus.TRIGGERED:
                return  # a replay of an activation already answered pages nobody
        await self.alert_tier(conn, plan_id, event, 1, event.at)

    async def alert_tier(
        self,
        conn: Connection,
        plan_id: UUID,
        activation: PlanActivated,
        tier: int,
        started_at: datetime,
    ) -> None:
        """Claim a tier's alerts and start its timer, together."""
        signs = await self.signs(conn, activation)
        planned = plan.tier_deliveries(plan_id, activation, tier)
        await claims.claim(conn, planned, self.renderer(activation, signs))
        await timers.start(
            conn, activation.activation_id, tier, fires_at(activation, tier, started_at)
        )

    async def acknowledged(self, conn: Connection, event: ActivationAcknowledged) -> None:
        record = await activations.mark_acknowledged(conn, event.activation_id, event.by)
        if record is None:
            await self._require_known(conn, event.activation_id)
            return  # already acknowledged (or resolved): the first one told the partner
        await timers.cancel(conn, event.activation_id)
        planned = plan.ack_note_deliveries(record.plan_id, record.snapshot, event.by)
        await claims.claim(conn, planned, self.renderer(record.snapshot, {}, event.by))

    async def resolved(self, conn: Connection, event: ActivationResolved) -> None:
        record = await activations.mark_resolved(conn, event.activation_id)
        if record is None:
            await self._require_known(conn, event.activation_id)
            return  # resolved already
        await timers.cancel(conn, event.activation_id)
        alerted = await claims.alerted(conn, event.activation_id)
        planned = plan.all_clear_deliveries(record.plan_id, record.snapshot, alerted)
        await claims.claim(conn, planned, self.renderer(record.snapshot, {}))

    async def alert_sent(
        self, conn: Connection, activation_id: UUID, recipient_id: UUID, channel: Channel
    ) -> None:
        """Owe an all-clear for an alert that went out while its activation was resolved.

        Called in the transaction that records the alert as sent. Resolving updates the
        activation's row and this locks it first, so the two are ordered: either the
        resolution sees this alert as sent, or this sees the activation resolved. Exactly
        one of them claims the all-clear.
        """
        record = await activations.lock_activation(conn, activation_id)
        if record is None or record.status is not ActivationStatus.RESOLVED:
            return
        planned = plan.all_clear_deliveries(
            record.plan_id, record.snapshot, [(recipient_id, channel)]
        )
        await claims.claim(conn, planned, self.renderer(record.snapshot, {}))

    async def _require_known(self, conn: Connection, activation_id: UUID) -> None:
        if await activations.load_activation(conn, activation_id) is None:
            raise NotYetKnown(str(activation_id))

    async def signs(self, conn: Connection, activation: PlanActivated) -> dict[UUID, str]:
        if not activation.observed_sign_ids:
            return {}
        return await activations.sign_descriptions(conn, activation.observed_sign_ids)

    def renderer(
        self,
        activation: PlanActivated | None,
        signs: Mapping[UUID, str],
        acknowledged_by: UUID | None = None,
        partner_names: tuple[str, ...] = (),
    ) -> claims.Render:
        settings = self.settings
        now = datetime.now(UTC)

        def render_one(delivery: PlannedDelivery, sequence: int) -> Rendered:
            context = AlertContext(
                activation=activation,
                signs=signs,
                ack_url=self._ack_url(delivery, now),
                consent_url=_consent_url(settings, delivery),
                acknowledged_by_name=_name_of(activation, acknowledged_by),
                crisis_resources=settings.crisis_resources,
                sequence=sequence,
                sent_at=now,
                partner_names=partner_names,
            )
            return render(delivery, context)

        return render_one

    def _ack_url(self, delivery: PlannedDelivery, now: datetime) -> str | None:
        if delivery.activation_id is None:
            return None
        expires = now + timedelta(seconds=self.settings.ack_link_seconds)
        return ack_link(
            self.settings.secret_key,
            self.settings.public_url,
            delivery.plan_id,
            delivery.activation_id,
            delivery.recipient_id,
            expires,
        )


def _consent_url(settings: NotifierSettings, delivery: PlannedDelivery) -> str | None:
    if delivery.activation_id is not None:
        return None
    return consent_link(
        settings.secret_key, settings.public_url, delivery.plan_id, delivery.recipient_id
    )


def _name_of(activation: PlanActivated | None, who: UUID | None) -> str | None:
    if activation is None or who is None:
        return None
    return next((r.display_name for r in activation.recipients if r.recipient_id == who), None)
