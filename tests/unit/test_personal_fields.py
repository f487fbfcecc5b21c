"""Which fields of each event are personal, and whose: every event type has a rule, and every
free-text field of every event is either sealed or named here as not personal."""

import itertools
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

import msgspec
import msgspec.inspect as mi
import pytest

from contracts.erasure_events import ERASED
from contracts.events import EVENT_TYPES, PlanActivated, PlanEvent, WarningSignRevised
from contracts.vocabulary import Event
from planner.domain.personal_fields import (
    FOR_THE_NOTIFIER,
    RULES,
    PersonalField,
    Whose,
    path_text,
    personal_fields,
    unruled_event_types,
    withheld_from_the_notifier,
)
from tests.support.builders import ALEX, BLAIR, PLAN_ID, SIGN_ID

# Free text that is no one's: the plan's title (both partners' shared label) and a delivery
# failure's technical reason.
NOT_PERSONAL = {("plan.created", "title"), ("plan.alert_delivery_recorded", "reason")}
WHOSE = Whose(PLAN_ID, f"participant:{ALEX}", {SIGN_ID: BLAIR})


class _Sampler:
    """One instance of any contract type, every free-text string distinct and recorded."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)

    def value(self, info: mi.Type) -> Any:
        match info:
            case mi.UUIDType():
                return UUID(int=next(self.counter))
            case mi.StrType(pattern=None):
                return f"text-{next(self.counter)}"
            case mi.StrType():
                return "a" * 64
            case mi.DateTimeType():
                return datetime(2026, 3, 1, tzinfo=UTC)
            case mi.IntType():
                return info.ge or 1
            case mi.BoolType():
                return True
            case mi.EnumType():
                return next(iter(info.cls))
            case mi.VarTupleType():
                return (self.value(info.item_type), self.value(info.item_type))
            case mi.UnionType():
                return self.value(next(t for t in info.types if not isinstance(t, mi.NoneType)))
            case mi.StructType():
                return self.struct(info)
        raise AssertionError(f"no sample for {info}")

    def struct(self, info: mi.StructType) -> Any:
        return info.cls(**{f.name: self.value(f.type) for f in info.fields})


def sample(tag: str) -> PlanEvent:
    info = mi.type_info(EVENT_TYPES[tag])
    assert isinstance(info, mi.StructType)
    event: PlanEvent = _Sampler().struct(info)
    return event


def free_text_paths(value: Any, path: tuple[str | int, ...] = ()) -> set[tuple[str | int, ...]]:
    """Where the sample holds generated free text."""
    if isinstance(value, str):
        return {path} if value.startswith("text-") else set()
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return set()
    return set().union(*(free_text_paths(v, (*path, k)) for k, v in items))


def test_every_event_type_has_a_rule() -> None:
    assert unruled_event_types() == set()
    assert set(RULES) == set(EVENT_TYPES)


def test_an_event_type_without_a_rule_is_refused() -> None:
    class Unruled(Event, frozen=True, kw_only=True, tag="plan.unruled"):
        note: str

    with pytest.raises(LookupError, match=r"plan\.unruled"):
        personal_fields(cast("PlanEvent", Unruled(note="x")), WHOSE)


@pytest.mark.parametrize("tag", sorted(EVENT_TYPES))
def test_every_free_text_field_is_sealed_or_named_not_personal(tag: str) -> None:
    event = sample(tag)
    sealed = {field.path for field in personal_fields(event, WHOSE)}
    texts = free_text_paths(msgspec.to_builtins(event))
    unsealed = {path_text(p) for p in texts - sealed}
    assert unsealed == {name for t, name in NOT_PERSONAL if t == tag}
    assert sealed <= texts  # a rule names only strings the event holds


def test_an_activation_seals_each_recipients_name_and_addresses_under_that_recipient() -> None:
    event = sample("plan.activated")
    assert isinstance(event, PlanActivated)
    fields = personal_fields(event, WHOSE)
    for i, recipient in enumerate(event.recipients):
        mine = {f.path for f in fields if f.subject == recipient.recipient_id}
        assert mine == {
            ("recipients", i, "display_name"),
            ("recipients", i, "channels", 0, "address"),
            ("recipients", i, "channels", 1, "address"),
        }
    activator = {f.path for f in fields if f.subject == event.activated_by}
    assert ("note",) in activator
    assert ("activator_name",) in activator
    assert ("activator_channels", 1, "address") in activator


def test_a_revised_sign_belongs_to_its_owner_not_to_who_revised_it() -> None:
    event = WarningSignRevised(sign_id=SIGN_ID, category="mood", description="restless")
    assert set(personal_fields(event, WHOSE)) == {
        PersonalField(("category",), BLAIR),
        PersonalField(("description",), BLAIR),
    }


def test_a_step_belongs_to_the_participant_who_wrote_it_else_to_the_plan() -> None:
    step = sample("plan.response_step_added")
    assert personal_fields(step, WHOSE) == [PersonalField(("description",), ALEX)]
    by_system = Whose(PLAN_ID, "system:consent-ends", {})
    assert personal_fields(step, by_system) == [PersonalField(("description",), PLAN_ID)]
    garbled = Whose(PLAN_ID, "participant:not-a-uuid", {})
    assert personal_fields(step, garbled) == [PersonalField(("description",), PLAN_ID)]


def test_erased_meets_every_string_constraint_of_the_events() -> None:
    assert 1 <= len(ERASED) <= 200  # ShortText's bounds


def test_the_relay_withholds_the_text_the_notifier_never_reads() -> None:
    withheld = withheld_from_the_notifier
    assert withheld("plan.check_in_recorded", ("note",))
    assert withheld("plan.activation_resolved", ("reflection",))
    assert withheld("plan.response_step_added", ("description",))
    assert withheld("plan.support_contact_added", ("relationship",))
    assert withheld("plan.partner_joined", ("display_name",))
    assert withheld("plan.warning_sign_added", ("category",))
    assert not withheld("plan.warning_sign_added", ("description",))
    assert not withheld("plan.activated", ("note",))
    assert not withheld("plan.activated", ("recipients", 0, "channels", 0, "address"))
    assert not withheld("plan.consent_requested", ("contact_name",))
    assert set(FOR_THE_NOTIFIER) <= set(RULES)
