"""The plan's content as commands, from the API's request schemas.

The JSON routes and the pages parse the same schemas; both build their commands here, so
a request and a form asking the same thing can never be read differently.
"""

from datetime import datetime
from uuid import UUID

from common.ids import new_id
from contracts.ids import ActivationId, CheckInId, ParticipantId, SignId, StepId
from planner.api.schemas import (
    NewCheckIn,
    NewResponseStep,
    NewWarningSign,
    Resolution,
    ResponseStepChange,
    WarningSignChange,
)
from planner.domain.commands import (
    AddResponseStep,
    AddWarningSign,
    RecordCheckIn,
    RemoveResponseStep,
    ResolveActivation,
    RetireWarningSign,
    ReviseResponseStep,
    ReviseWarningSign,
)


def _trimmed(text: str | None) -> str | None:
    return text.strip() if text else None


def add_sign(actor: ParticipantId, data: NewWarningSign, at: datetime) -> AddWarningSign:
    """``owner_id`` says whose sign it is: the caller's when omitted."""
    return AddWarningSign(
        now=at,
        actor=actor,
        sign_id=SignId(new_id()),
        owner_id=ParticipantId(data.owner_id or actor),
        category=data.category.strip(),
        description=data.description.strip(),
        level=data.level,
    )


def revise_sign(
    actor: ParticipantId, sign_id: UUID, data: WarningSignChange, at: datetime
) -> ReviseWarningSign:
    return ReviseWarningSign(
        now=at,
        actor=actor,
        sign_id=SignId(sign_id),
        category=_trimmed(data.category),
        description=_trimmed(data.description),
    )


def retire_sign(actor: ParticipantId, sign_id: UUID, at: datetime) -> RetireWarningSign:
    return RetireWarningSign(now=at, actor=actor, sign_id=SignId(sign_id))


def add_step(actor: ParticipantId, data: NewResponseStep, at: datetime) -> AddResponseStep:
    return AddResponseStep(
        now=at,
        actor=actor,
        step_id=StepId(new_id()),
        level=data.level,
        description=data.description.strip(),
    )


def revise_step(
    actor: ParticipantId, step_id: UUID, data: ResponseStepChange, at: datetime
) -> ReviseResponseStep:
    return ReviseResponseStep(
        now=at,
        actor=actor,
        step_id=StepId(step_id),
        level=data.level,
        description=_trimmed(data.description),
    )


def remove_step(actor: ParticipantId, step_id: UUID, at: datetime) -> RemoveResponseStep:
    return RemoveResponseStep(now=at, actor=actor, step_id=StepId(step_id))


def check_in(actor: ParticipantId, data: NewCheckIn, at: datetime) -> RecordCheckIn:
    return RecordCheckIn(
        now=at,
        actor=actor,
        check_in_id=CheckInId(new_id()),
        mood=data.mood,
        craving=data.craving,
        note=data.note.strip(),
        signs_noticed=tuple(SignId(s) for s in data.signs_noticed),
    )


def resolve(
    actor: ParticipantId, activation_id: UUID, data: Resolution, at: datetime
) -> ResolveActivation:
    return ResolveActivation(
        now=at,
        actor=actor,
        activation_id=ActivationId(activation_id),
        outcome=data.outcome,
        reflection=data.reflection.strip(),
    )
