"""The peer's aggregates, written the way the ``eventsourcing`` library documents them.

``Sign`` is what the append benchmark stores: a new aggregate whose one event carries the
same fields as our ``plan.warning_sign_added``. ``Plan`` is what the replay benchmark
replays: the same life of 24 events that ``bench.replay_rate`` stores for us (created,
partner invited and joined, signs, steps, two consented contacts, a policy, check-ins, an
activation with deliveries, its acknowledgement and resolution), each event applied by
its decorated method when the aggregate is rebuilt.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Sign(Aggregate):
    @event("Added")
    def __init__(self, owner_id: UUID, category: str, description: str, level: str) -> None:
        self.owner_id = owner_id
        self.category = category
        self.description = description
        self.level = level

    @event("Revised")
    def revise(self, category: str, description: str, level: str) -> None:
        self.category = category
        self.description = description
        self.level = level


class Plan(Aggregate):
    @event("Created")
    def __init__(self, title: str, created_by: UUID, creator_name: str) -> None:
        self.title = title
        self.members: dict[UUID, str] = {created_by: creator_name}
        self.invites: dict[UUID, str] = {}
        self.signs: dict[UUID, str] = {}
        self.steps: dict[UUID, str] = {}
        self.contacts: dict[UUID, list[dict[str, Any]]] = {}
        self.consented: set[UUID] = set()
        self.policies: dict[str, list[dict[str, Any]]] = {}
        self.check_ins = 0
        self.activation: UUID | None = None
        self.recipients: list[dict[str, Any]] = []
        self.deliveries: dict[UUID, str] = {}
        self.acknowledged_by: UUID | None = None
        self.outcome: str | None = None

    @event("PartnerInvited")
    def invite_partner(
        self, invite_id: UUID, invited_by: UUID, code_sha256: str, expires_at: datetime
    ) -> None:
        self.invites[invite_id] = code_sha256

    @event("PartnerJoined")
    def join(self, invite_id: UUID, participant_id: UUID, display_name: str) -> None:
        self.invites.pop(invite_id, None)
        self.members[participant_id] = display_name

    @event("WarningSignAdded")
    def add_sign(
        self, sign_id: UUID, owner_id: UUID, category: str, description: str, level: str
    ) -> None:
        self.signs[sign_id] = level

    @event("ResponseStepAdded")
    def add_step(self, step_id: UUID, level: str, description: str) -> None:
        self.steps[step_id] = level

    @event("SupportContactAdded")
    def add_contact(
        self,
        contact_id: UUID,
        display_name: str,
        relationship: str,
        channels: list[dict[str, Any]],
        added_by: UUID,
    ) -> None:
        self.contacts[contact_id] = channels

    @event("ConsentGiven")
    def give_consent(self, contact_id: UUID, scope: dict[str, Any], at: datetime) -> None:
        self.consented.add(contact_id)

    @event("EscalationPolicySet")
    def set_policy(self, level: str, tiers: list[dict[str, Any]]) -> None:
        self.policies[level] = tiers

    @event("CheckInRecorded")
    def check_in(
        self,
        check_in_id: UUID,
        participant_id: UUID,
        mood: int,
        craving: int,
        note: str,
        signs_noticed: list[UUID],
        at: datetime,
    ) -> None:
        self.check_ins += 1

    @event("Activated")
    def activate(
        self,
        activation_id: UUID,
        level: str,
        activated_by: UUID,
        note: str,
        recipients: list[dict[str, Any]],
        at: datetime,
    ) -> None:
        self.activation = activation_id
        self.recipients = recipients

    @event("AlertDeliveryRecorded")
    def record_delivery(
        self,
        delivery_id: UUID,
        activation_id: UUID,
        recipient_id: UUID,
        channel: str,
        tier: int,
        status: str,
        at: datetime,
    ) -> None:
        self.deliveries[delivery_id] = status

    @event("Acknowledged")
    def acknowledge(self, activation_id: UUID, by: UUID, at: datetime) -> None:
        self.acknowledged_by = by

    @event("Resolved")
    def resolve(
        self, activation_id: UUID, outcome: str, reflection: str, resolved_by: UUID, at: datetime
    ) -> None:
        self.outcome = outcome
