"""The words of each claim, rendered when it is claimed, with a slot for each signed link.

A claim keeps what was rendered, so every resend of it is identical; its links are put in
only when it is sent (``alerting.links``), so no link is kept at rest. An ack link stops
working ``settings.ack_link_seconds`` after rendering (the planner also refuses it once
its activation has been resolved for 24 hours); a consent link when its request expires.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec

from common.notice import support_notice
from contracts.events import PlanActivated, SignInLinkRequested
from contracts.support_events import ConsentRequested
from contracts.vocabulary import MessageKind
from notifier.alerting.links import ack_slot, activation_slot, consent_slot, sign_in_slot
from notifier.domain.alert_context import AlertContext
from notifier.domain.alert_text import Rendered, render
from notifier.domain.deliveries import PlannedDelivery
from notifier.ledger.claims import Render
from notifier.settings import NotifierSettings


class About(msgspec.Struct, frozen=True, kw_only=True):
    """What a note to partners is about: a contact, and when their consent ends."""

    contact_name: str
    ends_at: datetime | None = None


def renderer(
    settings: NotifierSettings,
    activation: PlanActivated | None,
    signs: Mapping[UUID, str],
    acknowledged_by: UUID | None = None,
    partner_names: tuple[str, ...] = (),
    consent: ConsentRequested | None = None,
    about: About | None = None,
    sign_in: SignInLinkRequested | None = None,
) -> Render:
    """How the deliveries about to be claimed are worded: the same facts and time for all."""
    now = datetime.now(UTC)
    told = about or About(contact_name="")

    def render_one(delivery: PlannedDelivery, sequence: int) -> Rendered:
        context = AlertContext(
            activation=activation,
            signs=signs,
            ack_url=_ack_url(settings, delivery, now),
            consent_url=_consent_url(delivery, consent),
            page_url=_page_url(settings, delivery, consent, now, sign_in),
            acknowledged_by_name=_name_of(activation, acknowledged_by),
            crisis_resources=settings.crisis_resources,
            sequence=sequence,
            sent_at=now,
            partner_names=partner_names,
            contact_name=told.contact_name,
            ends_at=told.ends_at,
            notice=_notice(partner_names, consent),
        )
        return render(delivery, context)

    return render_one


def _notice(partner_names: tuple[str, ...], consent: ConsentRequested | None) -> tuple[str, ...]:
    if consent is None:
        return ()
    return support_notice(partner_names, consent.consent_days)


def _ack_url(settings: NotifierSettings, delivery: PlannedDelivery, now: datetime) -> str | None:
    if delivery.activation_id is None:
        return None
    return ack_slot(now + timedelta(seconds=settings.ack_link_seconds))


def _page_url(
    settings: NotifierSettings,
    delivery: PlannedDelivery,
    consent: ConsentRequested | None,
    now: datetime,
    sign_in: SignInLinkRequested | None = None,
) -> str | None:
    """The page the message links to: the recipient's acknowledge page (which says "all
    clear" once it is), the activating partner's live page, or the consent page."""
    match delivery.message:
        case MessageKind.ALERT | MessageKind.ALL_CLEAR if delivery.activation_id is not None:
            return ack_slot(now + timedelta(seconds=settings.ack_link_seconds), page=True)
        case MessageKind.ACK_NOTE | MessageKind.NO_ANSWER if delivery.activation_id is not None:
            return activation_slot()
        case MessageKind.CONSENT_REQUEST if consent is not None:
            return consent_slot(consent.request_id, consent.expires_at, page=True)
        case MessageKind.SIGN_IN_LINK if sign_in is not None:
            return sign_in_slot(sign_in.link_id, sign_in.expires_at)
        case _:
            return None


def _consent_url(delivery: PlannedDelivery, consent: ConsentRequested | None) -> str | None:
    if delivery.activation_id is not None or consent is None:
        return None
    return consent_slot(consent.request_id, consent.expires_at)


def _name_of(activation: PlanActivated | None, who: UUID | None) -> str | None:
    if activation is None or who is None:
        return None
    return next((r.display_name for r in activation.recipients if r.recipient_id == who), None)
