"""Typed identifiers. Every id is a UUIDv7, made by the caller and passed in."""

from typing import NewType
from uuid import UUID

PlanId = NewType("PlanId", UUID)
ParticipantId = NewType("ParticipantId", UUID)
EventId = NewType("EventId", UUID)
InviteId = NewType("InviteId", UUID)
SignId = NewType("SignId", UUID)
StepId = NewType("StepId", UUID)
ContactId = NewType("ContactId", UUID)
ConsentRequestId = NewType("ConsentRequestId", UUID)  # one request, one link, one decision
ActivationId = NewType("ActivationId", UUID)
CheckInId = NewType("CheckInId", UUID)
RecipientId = NewType("RecipientId", UUID)  # a ParticipantId or a ContactId
