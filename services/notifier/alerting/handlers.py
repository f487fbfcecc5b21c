"""What each plan event, fired timer and sent alert means to the notifier, applied to the ledger.

Decisions come from the pure domain; this module only reads and writes the ledger, inside
the caller's transaction. Claims and timers land together or not at all, and every claim
is idempotent, so handling the same event twice (a redelivery, a replay) claims nothing new.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from contracts.envelope import Envelope
from contracts.erasure_events import ParticipantErased, SupportContactErased
from contracts.events import (
    ActivationAcknowledged,
    ActivationResolved,
    PlanActivated,
    PlanEvent,
    SignInLinkRequested,
    WarningSignAdded,
    WarningSignRevised,
)
from contracts.support_events import ConsentExpiring, ConsentRequested, DisclosureRequested
from contracts.vocabulary import Channel
from notifier.alerting.rendering import About, renderer
from notifier.domain import deliveries as plan
from notifier.domain.escalation import ActivationStatus, fires_at
from notifier.ledger import activations, claims, erasure, retries, timers
from notifier.ledger.activations import ActivationRecord
from notifier.ledger.sessions import Connection
from notifier.settings import NotifierSettings

# The events ``Alerting.handle`` acts on; every other plan event means nothing here.
ACTED_ON = (
    WarningSignAdded,
    WarningSignRevised,
    ConsentRequested,
    DisclosureRequested,
    ConsentExpiring,
    PlanActivated,
    ActivationAcknowledged,
    ActivationResolved,
    SignInLinkRequested,
    ParticipantErased,
    SupportContactErased,
)


def acts_on(event: PlanEvent) -> bool:
    """Whether handling ``event`` can touch the ledger (else: ack it, no transaction)."""
    return isinstance(event, ACTED_ON)


class NotYetKnown(Exception):
    """An answer to an activation this notifier has not seen yet: retry after a delay."""


class Alerting:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings

    async def handle(self, conn: Connection, envelope: Envelope) -> None:
        """Apply one plan event (inside the caller's transaction)."""
        plan_id, event = envelope.stream_id, envelope.event
        match event:
            case WarningSignAdded():
                await activations.remember_sign(
                    conn, event.sign_id, plan_id, event.description, event.owner_id
                )
            case WarningSignRevised():
                await activations.remember_sign(
                    conn, event.sign_id, plan_id, event.description, None
                )
            case ConsentRequested():
                await self.consent_requested(conn, plan_id, event)
            case DisclosureRequested():
                await self.disclosure_requested(conn, plan_id, envelope.event_id, event)
            case ConsentExpiring():
                await self.consent_expiring(conn, plan_id, envelope.event_id, event)
            case PlanActivated():
                await self.activated(conn, plan_id, event)
            case ActivationAcknowledged():
                await self.acknowledged(conn, event)
            case ActivationResolved():
                await self.resolved(conn, event)
            case SignInLinkRequested():
                await self.sign_in_link(conn, plan_id, event)
            # The live consumer erases apart (notifier.erasing: the plan's JetStream
            # messages and a vacuum too); a replay of an erasure redoes the ledger's part.
            case ParticipantErased():
                await erasure.redact(conn, plan_id, event.participant_id)
            case SupportContactErased():
                await erasure.redact(conn, plan_id, event.contact_id)
            case _:
                pass  # nothing to send for the other events

    async def consent_requested(
        self, conn: Connection, plan_id: UUID, event: ConsentRequested
    ) -> None:
        """Send the request, with its own link, to the contact's own channels only."""
        planned = plan.consent_request_deliveries(plan_id, event)
        await self._note(conn, planned, asked_by=event.requested_by_name, consent=event)

    async def disclosure_requested(
        self, conn: Connection, plan_id: UUID, event_id: UUID, event: DisclosureRequested
    ) -> None:
        """Ask the other partner, on their own channels, about a contact just added."""
        planned = plan.disclosure_request_deliveries(plan_id, event_id, event)
        about = About(contact_name=event.contact_name)
        await self._note(conn, planned, asked_by=event.requested_by_name, about=about)

    async def consent_expiring(
        self, conn: Connection, plan_id: UUID, event_id: UUID, event: ConsentExpiring
    ) -> None:
        """Tell the partners, on their own channels, that a contact's consent ends soon."""
        planned = plan.consent_expiring_deliveries(plan_id, event_id, event)
        about = About(contact_name=event.contact_name, ends_at=event.expires_at)
        await self._note(conn, planned, about=about)

    async def sign_in_link(
        self, conn: Connection, plan_id: UUID, event: SignInLinkRequested
    ) -> None:
        """The partner's one-time link, to the one channel they chose; never once it expired."""
        if event.expires_at <= datetime.now(UTC):
            return
        await self._note(conn, plan.sign_in_link_deliveries(plan_id, event), sign_in=event)

    async def _note(
        self,
        conn: Connection,
        planned: Sequence[plan.PlannedDelivery],
        *,
        asked_by: str | None = None,
        consent: ConsentRequested | None = None,
        about: About | None = None,
        sign_in: SignInLinkRequested | None = None,
    ) -> None:
        """Claim a note that belongs to no activation: worded by who asked, if anyone, and
        what it is about."""
        by = (asked_by,) if asked_by else ()  # the partner the note names, if any
        words = renderer(
            self.settings, None, {}, partner_names=by, consent=consent, about=about, sign_in=sign_in
        )
        await claims.claim(conn, planned, words)

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
        signs = await self._signs(conn, activation)
        planned = plan.tier_deliveries(plan_id, activation, tier)
        await claims.claim(conn, planned, renderer(self.settings, activation, signs))
        await timers.start(
            conn, activation.activation_id, tier, fires_at(activation, tier, started_at)
        )

    async def nobody_answered(self, conn: Connection, record: ActivationRecord) -> None:
        """The last tier's timer fired unanswered: tell the one who asked."""
        planned = plan.no_answer_deliveries(record.plan_id, record.snapshot)
        await claims.claim(conn, planned, renderer(self.settings, record.snapshot, {}))

    async def could_not_reach(
        self, conn: Connection, activation_id: UUID, recipient_id: UUID
    ) -> None:
        """An alert to the recipient failed (for good, or long enough to count as failed):
        when every alert to them has, tell the one who asked, while the rounds go on.

        Called after the failure is committed, so of two channels failing at once the
        later one sees both. Locking the activation orders this after an answer: once
        someone is on it, or it is resolved, nobody needs telling.
        """
        record = await activations.lock_activation(conn, activation_id)
        if record is None or record.status is not ActivationStatus.TRIGGERED:
            return
        if not await retries.recipient_unreachable(conn, activation_id, recipient_id):
            return
        planned = plan.not_reached_deliveries(record.plan_id, record.snapshot, recipient_id)
        await claims.claim(conn, planned, renderer(self.settings, record.snapshot, {}))

    async def acknowledged(self, conn: Connection, event: ActivationAcknowledged) -> None:
        record = await activations.mark_acknowledged(conn, event.activation_id, event.by)
        if record is None:
            await self._require_known(conn, event.activation_id)
            return  # already acknowledged (or resolved): the first one told the partner
        await timers.cancel(conn, event.activation_id)
        planned = plan.ack_note_deliveries(record.plan_id, record.snapshot, event.by)
        await claims.claim(conn, planned, renderer(self.settings, record.snapshot, {}, event.by))

    async def resolved(self, conn: Connection, event: ActivationResolved) -> None:
        record = await activations.mark_resolved(conn, event.activation_id)
        if record is None:
            await self._require_known(conn, event.activation_id)
            return  # resolved already
        await timers.cancel(conn, event.activation_id)
        alerted = await claims.alerted(conn, event.activation_id)
        planned = plan.all_clear_deliveries(record.plan_id, record.snapshot, alerted)
        await claims.claim(conn, planned, renderer(self.settings, record.snapshot, {}))

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
        await claims.claim(conn, planned, renderer(self.settings, record.snapshot, {}))

    async def _require_known(self, conn: Connection, activation_id: UUID) -> None:
        if await activations.load_activation(conn, activation_id) is None:
            raise NotYetKnown(str(activation_id))

    async def _signs(self, conn: Connection, activation: PlanActivated) -> dict[UUID, str]:
        if not activation.observed_sign_ids:
            return {}
        return await activations.sign_descriptions(conn, activation.observed_sign_ids)
