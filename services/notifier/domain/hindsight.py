"""What the rest of a replayed history says about each activation and contact.

A live notifier decides as events arrive; a replay reads history that already happened,
so before deciding anything it looks ahead. An activation acknowledged or resolved later
in the history is over as far as paging goes: replaying its activation must not alert
anyone, whatever the ledger has lost. A consent request that was answered, replaced by a
newer one, or whose contact was removed, must not be sent; nor a question to a partner who
has since chosen, nor a note that a consent ends when it was since renewed or withdrawn.
"""

from datetime import datetime
from uuid import UUID

import msgspec

from contracts.delivery_events import AlertDeliveryRecorded
from contracts.events import ActivationAcknowledged, ActivationResolved, PlanEvent
from contracts.support_events import (
    ConsentDeclined,
    ConsentExpiring,
    ConsentGiven,
    ConsentRequested,
    ConsentWithdrawn,
    DisclosureChosen,
    DisclosureRequested,
    SupportContactRemoved,
)
from contracts.vocabulary import DeliveryStatus, MessageKind


class Hindsight(msgspec.Struct, kw_only=True):
    acknowledged_by: dict[UUID, UUID] = msgspec.field(default_factory=dict)  # first to answer
    resolved: set[UUID] = msgspec.field(default_factory=set)
    answered_requests: set[UUID] = msgspec.field(default_factory=set)
    latest_requests: dict[UUID, UUID] = msgspec.field(default_factory=dict)  # contact → request
    removed_contacts: set[UUID] = msgspec.field(default_factory=set)
    alerts_sent: dict[UUID, int] = msgspec.field(default_factory=dict)  # as the planner recorded
    chosen: set[tuple[UUID, UUID]] = msgspec.field(default_factory=set)  # (contact, partner)
    consent_changed: dict[UUID, datetime] = msgspec.field(default_factory=dict)  # the latest

    def see(self, event: PlanEvent) -> None:
        """Take one event of the history into account, in history order."""
        match event:
            case ActivationAcknowledged():
                self.acknowledged_by.setdefault(event.activation_id, event.by)
            case ActivationResolved():
                self.resolved.add(event.activation_id)
            case ConsentRequested():
                self.latest_requests[event.contact_id] = event.request_id
            case ConsentGiven() | ConsentDeclined() | ConsentWithdrawn():
                if event.request_id is not None:
                    self.answered_requests.add(event.request_id)
                latest = self.consent_changed.get(event.contact_id, event.at)
                self.consent_changed[event.contact_id] = max(latest, event.at)
            case DisclosureChosen():
                self.chosen.add((event.contact_id, event.partner_id))
            case SupportContactRemoved():
                self.removed_contacts.add(event.contact_id)
            case AlertDeliveryRecorded(activation_id=UUID() as activation_id):
                if event.message is MessageKind.ALERT and event.status is DeliveryStatus.SENT:
                    self.alerts_sent[activation_id] = self.alerts_sent.get(activation_id, 0) + 1
            case _:
                pass  # nothing else later in the history changes what a replay may send

    def is_over(self, activation_id: UUID) -> bool:
        """Someone answered it, or it was resolved: nobody is to be paged about it."""
        return activation_id in self.acknowledged_by or activation_id in self.resolved

    def is_settled(self, requested: ConsentRequested) -> bool:
        """The request was answered, replaced, or its contact removed: never send it."""
        return (
            requested.request_id in self.answered_requests
            or self.latest_requests.get(requested.contact_id, requested.request_id)
            != requested.request_id
            or requested.contact_id in self.removed_contacts
        )

    def has_answered(self, asked: DisclosureRequested) -> bool:
        """The partner chose already, or the contact is gone: never ask them."""
        return (
            asked.contact_id,
            asked.partner_id,
        ) in self.chosen or asked.contact_id in self.removed_contacts

    def is_outdated(self, expiring: ConsentExpiring) -> bool:
        """The consent a notice was about was renewed or withdrawn later, or the contact
        removed: nobody needs telling that it ends."""
        changed = self.consent_changed.get(expiring.contact_id)
        return (changed is not None and changed > expiring.at) or (
            expiring.contact_id in self.removed_contacts
        )
