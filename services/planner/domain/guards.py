"""Checks shared by the decider: look-ups that raise, and text that must fit its event field.

Event fields carry msgspec length limits that are enforced only on decode, so a text that
breaks them must be refused here: stored, it would make the stream unreadable.
"""

from collections.abc import Container, Mapping
from typing import TypeVar
from uuid import UUID

from contracts.ids import ActivationId, ContactId, SignId, StepId
from planner.domain.errors import InvalidCommand, NotFound, RuleViolated
from planner.domain.state import Activation, PlanState, ResponseStep, SupportContact, WarningSign

K = TypeVar("K", bound=UUID)
V = TypeVar("V")

SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 4000
ADDRESS_MAX = 500


def short_text(field: str, value: str, limit: int = SHORT_TEXT_MAX) -> str:
    """``value`` stripped; it must be non-blank and at most ``limit`` characters."""
    text = value.strip()
    if not text:
        raise InvalidCommand(field, f"{field} must not be blank")
    if len(text) > limit:
        raise InvalidCommand(field, f"{field} must be at most {limit} characters")
    return text


def long_text(field: str, value: str, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise InvalidCommand(field, f"{field} must not be blank")
    if len(text) > LONG_TEXT_MAX:
        raise InvalidCommand(field, f"{field} must be at most {LONG_TEXT_MAX} characters")
    return text


def require_new(existing: Container[UUID], item_id: UUID, kind: str) -> None:
    if item_id in existing:
        raise RuleViolated("duplicate_id", f"{kind} {item_id} already exists")


def _found(items: Mapping[K, V], item_id: K, kind: str) -> V:
    """The item with this id; ``NotFound`` naming its ``kind`` when there is none."""
    item = items.get(item_id)
    if item is None:
        raise NotFound(kind, item_id)
    return item


def sign_of(state: PlanState, sign_id: SignId) -> WarningSign:
    return _found(state.signs, sign_id, "warning sign")


def active_sign_of(state: PlanState, sign_id: SignId) -> WarningSign:
    sign = sign_of(state, sign_id)
    if sign.retired:
        raise RuleViolated("sign_retired", f"warning sign {sign_id} is retired")
    return sign


def step_of(state: PlanState, step_id: StepId) -> ResponseStep:
    return _found(state.steps, step_id, "response step")


def contact_of(state: PlanState, contact_id: ContactId) -> SupportContact:
    """A current contact: a removed one is as good as unknown."""
    contact = state.contacts.get(contact_id)
    if contact is None or contact.removed:
        raise NotFound("support contact", contact_id)
    return contact


def activation_of(state: PlanState, activation_id: ActivationId) -> Activation:
    return _found(state.activations, activation_id, "activation")


def open_activation_of(state: PlanState, activation_id: ActivationId) -> Activation:
    activation = activation_of(state, activation_id)
    if not activation.is_open:
        raise RuleViolated("activation_closed", f"activation {activation_id} is closed")
    return activation
