"""The words of every message, on every channel, carry about each person exactly what
``contracts.disclosure.carried`` says: the rule the planner's accounting of disclosures
reads cannot drift from what the notifier sends."""

from datetime import UTC, datetime
from uuid import UUID

import msgspec
import pytest

from contracts.disclosure import Field, Named, carried
from contracts.events import PlanActivated
from contracts.ids import ActivationId, ParticipantId, RecipientId, SignId
from contracts.vocabulary import (
    ActivationTier,
    Channel,
    ChannelKind,
    ConsentScope,
    DisclosureChoice,
    Level,
    MessageKind,
    Recipient,
    RecipientKind,
)
from notifier.domain.alert_context import AlertContext
from notifier.domain.alert_text import render
from notifier.domain.deliveries import PlannedDelivery

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
ASKER_ID = ParticipantId(UUID(int=1))
SIGN = SignId(UUID(int=2))
# Each value a marker no other part of any message contains.
ASKER_NAME, HELPER_NAME, UNREACHED_NAME, REQUESTER_NAME = "Quimby", "Zorvath", "Yelland", "Wexmoor"
LEVEL_WORD = "setback"
SIGN_TEXT, NOTE_TEXT = "sign-marker-17", "note-marker-42"
REACH_EMAIL, REACH_PHONE = "quimby-reach@example.org", "+15550104242"

ALL = ConsentScope(share_signs=True, share_notes=True)
NONE = ConsentScope()
YES = DisclosureChoice(alert=True, share_signs=True, share_note=True)
ALERT_ONLY = DisclosureChoice(alert=True)


def _recipient(n: int, kind: RecipientKind, **more: object) -> Recipient:
    return Recipient(
        recipient_id=RecipientId(UUID(int=100 + n)),
        kind=kind,
        display_name=HELPER_NAME if n == 0 else UNREACHED_NAME if n == 1 else f"R{n}",
        tier=1,
        channels=(Channel(kind=ChannelKind.EMAIL, address=f"r{n}@example.net"),),
        **more,  # type: ignore[arg-type]
    )


RECIPIENTS = (
    _recipient(0, RecipientKind.PARTNER),
    _recipient(1, RecipientKind.CONTACT, scope=ALL, disclosure=YES),
    _recipient(2, RecipientKind.CONTACT, scope=NONE, disclosure=YES),
    _recipient(3, RecipientKind.CONTACT, scope=ALL, disclosure=ALERT_ONLY),
    _recipient(4, RecipientKind.CONTACT, scope=ALL, disclosure=None),
    _recipient(5, RecipientKind.CONTACT),
)
ACTIVATION = PlanActivated(
    activation_id=ActivationId(UUID(int=9)),
    level=Level.SETBACK,
    activated_by=ASKER_ID,
    observed_sign_ids=(SIGN,),
    note=NOTE_TEXT,
    recipients=RECIPIENTS,
    tiers=(
        ActivationTier(
            tier=1, recipient_ids=tuple(r.recipient_id for r in RECIPIENTS), ack_timeout_seconds=60
        ),
    ),
    at=NOW,
    activator_name=ASKER_NAME,
    activator_channels=(
        Channel(kind=ChannelKind.EMAIL, address=REACH_EMAIL),
        Channel(kind=ChannelKind.SMS, address=REACH_PHONE),
        Channel(kind=ChannelKind.WEBHOOK, address="https://hooks.example.net/q"),
    ),
)
MARKERS: dict[tuple[Named, Field], str] = {
    (Named.ASKER, Field.NAME): ASKER_NAME,
    (Named.ASKER, Field.LEVEL): LEVEL_WORD,
    (Named.ASKER, Field.SIGNS): SIGN_TEXT,
    (Named.ASKER, Field.NOTE): NOTE_TEXT,
    (Named.ASKER, Field.CONTACT_DETAILS): REACH_EMAIL,
    (Named.HELPER, Field.NAME): HELPER_NAME,
    (Named.UNREACHED, Field.NAME): UNREACHED_NAME,
    (Named.REQUESTER, Field.NAME): REQUESTER_NAME,
}
ABOUT_ACTIVATION = (
    MessageKind.ALERT,
    MessageKind.ACK_NOTE,
    MessageKind.ALL_CLEAR,
    MessageKind.NO_ANSWER,
)
TO_ASKER = (MessageKind.ACK_NOTE, MessageKind.NO_ANSWER)


def received(message: MessageKind, channel: ChannelKind, to: Recipient, about: bool) -> str:
    """What the recipient gets on ``channel``: the body of a webhook, the letter, the SMS."""
    on_activation = message in ABOUT_ACTIVATION
    delivery = PlannedDelivery(
        activation_id=ACTIVATION.activation_id if on_activation else None,
        plan_id=UUID(int=7),
        recipient_id=ASKER_ID if message in TO_ASKER else to.recipient_id,
        recipient_name="Reader",
        channel=Channel(kind=channel, address="x@example.net"),
        tier=1,
        message=message,
        request_id=None if on_activation else UUID(int=8),
        about=RECIPIENTS[1].recipient_id if about else None,
    )
    context = AlertContext(
        activation=ACTIVATION if on_activation else None,
        sequence=1,
        sent_at=NOW,
        signs={SIGN: SIGN_TEXT},
        ack_url="https://tandem.example/v1/acks/t" if on_activation else None,
        consent_url=None if on_activation else "https://tandem.example/v1/consents/t",
        acknowledged_by_name=HELPER_NAME if message is MessageKind.ACK_NOTE else None,
        partner_names=() if on_activation else (REQUESTER_NAME,),
        contact_name="Contactname",
        ends_at=NOW,
    )
    words = render(delivery, context)
    if channel is ChannelKind.WEBHOOK:
        return msgspec.json.encode(words.payload).decode()
    return words.text if channel is ChannelKind.SMS else f"{words.subject}\n{words.text}"


CASES = [
    (message, channel, to, about)
    for message in MessageKind
    for channel in ChannelKind
    for to in (
        RECIPIENTS if message in (MessageKind.ALERT, MessageKind.ALL_CLEAR) else RECIPIENTS[:1]
    )
    for about in ((False, True) if message is MessageKind.NO_ANSWER else (False,))
]


@pytest.mark.parametrize(("message", "channel", "to", "about"), CASES)
def test_every_message_carries_about_each_person_exactly_what_the_rule_says(
    message: MessageKind, channel: ChannelKind, to: Recipient, about: bool
) -> None:
    got = received(message, channel, to, about)
    rule = carried(message, channel, to, names_someone=about)
    said = {(named, field) for named, fields in rule.items() for field in fields}
    if message in TO_ASKER:  # the asker's own request, told to the asker: not a disclosure
        found = {k for k, marker in MARKERS.items() if marker in got and k[0] is not Named.ASKER}
    else:
        found = {k for k, marker in MARKERS.items() if marker in got}
    assert found == said


def test_the_rule_shows_a_contact_signs_and_note_only_when_scope_and_choice_both_allow() -> None:
    shown = {r.recipient_id: carried(MessageKind.ALERT, ChannelKind.EMAIL, r) for r in RECIPIENTS}
    full = {Field.NAME, Field.LEVEL, Field.CONTACT_DETAILS, Field.SIGNS, Field.NOTE}
    assert shown[RECIPIENTS[0].recipient_id][Named.ASKER] == full  # the other partner
    assert shown[RECIPIENTS[1].recipient_id][Named.ASKER] == full
    for bare in RECIPIENTS[2:4] + RECIPIENTS[5:]:
        assert shown[bare.recipient_id][Named.ASKER] == {
            Field.NAME,
            Field.LEVEL,
            Field.CONTACT_DETAILS,
        }
    assert shown[RECIPIENTS[4].recipient_id][Named.ASKER] == full  # older: the scope alone
