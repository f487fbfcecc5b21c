"""Which fields of each event are personal, and whose they are.

Every event type has a rule (``RULES``, keyed by tag); a rule names the paths of the
event's personal strings and the person each belongs to, the *subject* whose data key
seals it (``planner.store.sealing``). Erasing a person deletes their key, so exactly these
fields of theirs read as erased afterwards. What is personal: names (the person named),
channel addresses (the person reached there), sign descriptions and categories (the sign's
owner), step descriptions, notes and reflections (the participant who wrote them), a
contact's relationship (the contact). Ids, levels, times and choices are not.
"""

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from uuid import UUID

from contracts.events import EVENT_TYPES, PlanEvent
from contracts.vocabulary import Channel, Recipient

Path = tuple[str | int, ...]
PARTICIPANT_ACTOR = "participant:"  # how Metadata.actor names a participant


class PersonalField(NamedTuple):
    path: Path
    subject: UUID


class Whose(NamedTuple):
    """What a rule may need beyond the event: who made it, and who owns the plan's signs."""

    stream_id: UUID
    actor: str
    sign_owners: Mapping[UUID, UUID]

    @property
    def author(self) -> UUID:
        """The participant whose command made the event; the plan (its stream) otherwise."""
        if self.actor.startswith(PARTICIPANT_ACTOR):
            try:
                return UUID(self.actor.removeprefix(PARTICIPANT_ACTOR))
            except ValueError:
                pass
        return self.stream_id


Rule = Callable[[Any, Whose], list[PersonalField]]


def path_text(path: Path) -> str:
    """A path as written into the authenticated data of its sealed value."""
    return ".".join(map(str, path))


def _channels(prefix: Path, channels: tuple[Channel, ...], subject: UUID) -> list[PersonalField]:
    return [PersonalField((*prefix, i, "address"), subject) for i in range(len(channels))]


def _recipients(name: str, recipients: tuple[Recipient, ...]) -> list[PersonalField]:
    fields: list[PersonalField] = []
    for i, recipient in enumerate(recipients):
        subject = recipient.recipient_id
        fields.append(PersonalField((name, i, "display_name"), subject))
        fields += _channels((name, i, "channels"), recipient.channels, subject)
    return fields


def _named(*pairs: tuple[str, str]) -> Rule:
    """A rule for flat fields: each (field, the field holding its subject's id)."""
    return lambda event, _: [PersonalField((f,), getattr(event, s)) for f, s in pairs]


def _nothing(_event: Any, _whose: Whose) -> list[PersonalField]:
    return []


def _by_author(*names: str) -> Rule:
    return lambda _, whose: [PersonalField((name,), whose.author) for name in names]


def _sign_revised(event: Any, whose: Whose) -> list[PersonalField]:
    owner = whose.sign_owners.get(event.sign_id, whose.stream_id)
    return [PersonalField(("category",), owner), PersonalField(("description",), owner)]


def _contact_added(event: Any, _whose: Whose) -> list[PersonalField]:
    contact = event.contact_id
    return [
        PersonalField(("display_name",), contact),
        PersonalField(("relationship",), contact),
        *_channels(("channels",), event.channels, contact),
        PersonalField(("added_by_name",), event.added_by),
    ]


def _consent_requested(event: Any, _whose: Whose) -> list[PersonalField]:
    return [
        PersonalField(("contact_name",), event.contact_id),
        *_channels(("channels",), event.channels, event.contact_id),
        PersonalField(("requested_by_name",), event.requested_by),
    ]


def _activated(event: Any, _whose: Whose) -> list[PersonalField]:
    by = event.activated_by
    return [
        PersonalField(("note",), by),
        PersonalField(("activator_name",), by),
        *_channels(("activator_channels",), event.activator_channels, by),
        *_recipients("recipients", event.recipients),
    ]


def _disclosure_requested(event: Any, _whose: Whose) -> list[PersonalField]:
    return [
        PersonalField(("partner_name",), event.partner_id),
        *_channels(("channels",), event.channels, event.partner_id),
        PersonalField(("contact_name",), event.contact_id),
        PersonalField(("requested_by_name",), event.requested_by),
    ]


def _consent_expiring(event: Any, _whose: Whose) -> list[PersonalField]:
    contact = PersonalField(("contact_name",), event.contact_id)
    return [contact, *_recipients("partners", event.partners)]


def _sign_in_link(event: Any, _whose: Whose) -> list[PersonalField]:
    return [
        PersonalField(("display_name",), event.participant_id),
        PersonalField(("channel", "address"), event.participant_id),
    ]


RULES: dict[str, Rule] = {
    "plan.created": _named(("creator_name", "created_by")),
    "plan.partner_invited": _nothing,
    "plan.partner_joined": _named(("display_name", "participant_id")),
    "plan.warning_sign_added": _named(("category", "owner_id"), ("description", "owner_id")),
    "plan.warning_sign_revised": _sign_revised,
    "plan.warning_sign_retired": _nothing,
    "plan.response_step_added": _by_author("description"),
    "plan.response_step_revised": _by_author("description"),
    "plan.response_step_removed": _nothing,
    "plan.support_contact_added": _contact_added,
    "plan.consent_requested": _consent_requested,
    "plan.consent_given": _nothing,
    "plan.consent_declined": _nothing,
    "plan.consent_withdrawn": _nothing,
    "plan.support_contact_removed": _nothing,
    "plan.escalation_policy_set": _nothing,
    "plan.activated": _activated,
    "plan.activation_acknowledged": _nothing,
    "plan.activation_resolved": _named(("reflection", "resolved_by")),
    "plan.check_in_recorded": _named(("note", "participant_id")),
    "plan.alert_delivery_recorded": _nothing,
    "plan.activation_escalated": _nothing,
    "plan.disclosure_requested": _disclosure_requested,
    "plan.disclosure_chosen": _nothing,
    "plan.consent_expiring": _consent_expiring,
    "plan.sign_in_link_requested": _sign_in_link,
    "plan.participant_erased": _nothing,
    "plan.support_contact_erased": _nothing,
}


# The personal fields the notifier reads, by event type (the top-level field a path starts
# at; ALL: every one). The relay publishes these opened and every other one as WITHHELD:
# JetStream carries no one's text beyond what an alert, a note or a request needs (no
# check-in note, reflection, step, relationship, nor a name the notifier never writes).
ALL = frozenset({"*"})
FOR_THE_NOTIFIER: dict[str, frozenset[str]] = {
    "plan.warning_sign_added": frozenset({"description"}),
    "plan.warning_sign_revised": frozenset({"description"}),
    "plan.consent_requested": ALL,
    "plan.disclosure_requested": ALL,
    "plan.consent_expiring": ALL,
    "plan.activated": ALL,
    "plan.sign_in_link_requested": ALL,
}
WITHHELD = "[withheld]"


def withheld_from_the_notifier(event_type: str, path: Path) -> bool:
    """Whether the relay publishes this personal field as ``WITHHELD``."""
    read = FOR_THE_NOTIFIER.get(event_type, frozenset())
    return not (read & {"*", path[0]})


def personal_fields(event: PlanEvent, whose: Whose) -> list[PersonalField]:
    """The personal fields of ``event`` and whose each is (an empty list: none)."""
    tag = str(event.__struct_config__.tag)
    rule = RULES.get(tag)
    if rule is None:
        raise LookupError(f"no rule says which fields of {tag} are personal")
    return rule(event, whose)


def unruled_event_types() -> set[str]:
    """Event types of the catalogue without a rule: a new type must get one."""
    return set(EVENT_TYPES) - set(RULES)
