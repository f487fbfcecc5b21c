"""The shape of "everything Tandem holds about me" (``GET /v1/participants/me/export``), and
what of a plan is one partner's: the signs they own, the check-ins they recorded, the
activations they started, their own choices about each contact.

The plan's shared parts (its title, response steps, contacts) belong to both partners and
are named here only as far as a partner's own data points at them.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Literal, TypeVar
from uuid import UUID

import msgspec

from contracts.ids import ParticipantId
from contracts.vocabulary import Channel, Level, Outcome
from planner.domain.disclosures import Disclosure
from planner.domain.state import Activation, PlanState

EXPORT_FORMAT = "tandem.export.v1"

M = TypeVar("M", bound=msgspec.Struct)


class Token(msgspec.Struct, frozen=True, kw_only=True):
    """A bearer token of yours, without the token: only its hash is kept."""

    token_id: UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime


class Account(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    display_name: str
    created_at: datetime
    channels: list[Channel]  # where you are alerted
    tokens: list[Token]


class MySign(msgspec.Struct, frozen=True, kw_only=True):
    sign_id: UUID
    category: str
    description: str
    level: Level
    retired: bool


class MyCheckIn(msgspec.Struct, frozen=True, kw_only=True):
    check_in_id: UUID
    mood: int
    craving: int
    note: str
    signs_noticed: list[UUID]
    at: datetime


class MyActivation(msgspec.Struct, frozen=True, kw_only=True):
    activation_id: UUID
    level: Level
    note: str
    observed_sign_ids: list[UUID]
    activated_at: datetime
    recipient_names: list[str]  # who it was meant to reach (who was told: ``disclosures``)
    outcome: Outcome | None
    reflection: str
    resolved_at: datetime | None


class MyChoice(msgspec.Struct, frozen=True, kw_only=True):
    """Your own choice about a support contact: may they be alerted about you, and shown
    what. A contact missing here is one you have not chosen about (nothing is shared)."""

    contact_id: UUID
    contact_name: str
    alert: bool
    share_signs: bool
    share_note: bool


class MyPlan(msgspec.Struct, frozen=True, kw_only=True):
    plan_id: UUID
    title: str
    partner_names: list[str]
    signs: list[MySign]
    check_ins: list[MyCheckIn]
    activations: list[MyActivation]
    disclosure_choices: list[MyChoice]


class DoNotInvolve(msgspec.Struct, frozen=True, kw_only=True):
    entry_id: UUID
    kind: Literal["email", "sms"]
    address: str
    reason: str
    created_at: datetime


class OperatorRead(msgspec.Struct, frozen=True, kw_only=True):
    """An operator's read of one of your plans: which operator token, what, when."""

    plan_id: UUID
    operator_id: UUID
    operator_label: str
    operation: str
    read_at: datetime


class Export(msgspec.Struct, frozen=True, kw_only=True):
    format: str = EXPORT_FORMAT
    exported_at: datetime
    account: Account
    plans: list[MyPlan]
    do_not_involve: list[DoNotInvolve]
    disclosures: list[Disclosure]  # every message about you, oldest first
    operator_reads: list[OperatorRead]  # of your plans, newest first


def my_plan(state: PlanState, me: UUID) -> MyPlan:
    """What of ``state`` is ``me``'s."""
    return MyPlan(
        plan_id=state.plan_id,
        title=state.title,
        partner_names=[p.display_name for p in state.partners],
        signs=_as(MySign, (s for s in state.signs.values() if s.owner_id == me)),
        check_ins=_as(MyCheckIn, (c for c in state.check_ins if c.participant_id == me)),
        activations=[_activation(a) for a in state.activations.values() if a.activated_by == me],
        disclosure_choices=[
            MyChoice(
                contact_id=c.contact_id,
                contact_name=c.display_name,
                alert=choice.alert,
                share_signs=choice.share_signs,
                share_note=choice.share_note,
            )
            for c in state.contacts.values()
            if (choice := c.disclosures.get(ParticipantId(me))) is not None
        ],
    )


def _as(mine: type[M], items: Iterable[object]) -> list[M]:
    """Each item as ``mine``: the fields of that name, the others left out."""
    return [msgspec.convert(item, mine, from_attributes=True) for item in items]


def _activation(activation: Activation) -> MyActivation:
    return MyActivation(
        activation_id=activation.activation_id,
        level=activation.level,
        note=activation.note,
        observed_sign_ids=list(activation.observed_sign_ids),
        activated_at=activation.activated_at,
        recipient_names=[r.display_name for r in activation.recipients],
        outcome=activation.outcome,
        reflection=activation.reflection,
        resolved_at=activation.resolved_at,
    )
