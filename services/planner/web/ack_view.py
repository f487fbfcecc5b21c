"""What the acknowledge page shows one recipient: pure, from the plan and the activation.

A support contact sees the warning signs and the note only as their consent scope (frozen
into the activation) allows; the other partner sees both. Who answered is named when it is
one of the partners or the viewer; another support contact stays "someone you both trust".
"""

from datetime import datetime
from urllib.parse import quote

import msgspec

from contracts.ids import ParticipantId
from contracts.vocabulary import ChannelKind, Level, Recipient, RecipientKind
from planner.domain.state import Activation, PlanState


class Reach(msgspec.Struct, frozen=True, kw_only=True):
    label: str  # "Call", "Text", "E-mail"
    address: str
    href: str


class AckView(msgspec.Struct, frozen=True, kw_only=True):
    asker: str
    level: Level
    reach: tuple[Reach, ...]
    signs: tuple[str, ...] | None  # None: not shared with this recipient
    note: str | None
    status: str  # open | mine | answered | resolved | false_alarm
    answered_by: str | None
    answered_at: datetime | None


def ack_view(state: PlanState, activation: Activation, recipient: Recipient) -> AckView:
    partners = {p.participant_id: p.display_name for p in state.partners}
    signs, note = _shared(state, activation, recipient)
    status, by, at = _status(activation, recipient, partners)
    return AckView(
        asker=partners.get(activation.activated_by, "").strip() or "Someone you support",
        level=activation.level,
        reach=_reach(activation),
        signs=signs,
        note=note,
        status=status,
        answered_by=by,
        answered_at=at,
    )


def _shared(
    state: PlanState, activation: Activation, recipient: Recipient
) -> tuple[tuple[str, ...] | None, str | None]:
    scope = recipient.scope
    is_partner = recipient.kind is RecipientKind.PARTNER
    signs = None
    if is_partner or (scope is not None and scope.share_signs):
        signs = tuple(
            state.signs[s].description for s in activation.observed_sign_ids if s in state.signs
        )
    note = None
    if is_partner or (scope is not None and scope.share_notes):
        note = activation.note.strip() or None
    return signs, note


def _status(
    activation: Activation, recipient: Recipient, partners: dict[ParticipantId, str]
) -> tuple[str, str | None, datetime | None]:
    if activation.outcome is not None:
        return activation.outcome.value, None, activation.resolved_at
    mine = next((a for a in activation.acknowledgements if a.by == recipient.recipient_id), None)
    if mine is not None:
        return "mine", None, mine.at
    if not activation.acknowledgements:
        return "open", None, None
    first = activation.acknowledgements[0]
    name = partners.get(ParticipantId(first.by)) or "Someone you both trust"
    return "answered", name, first.at


def _reach(activation: Activation) -> tuple[Reach, ...]:
    """Call and text for each phone number, e-mail for each address; webhooks are no way to talk."""
    found: list[Reach] = []
    for channel in activation.activator_channels:
        address = channel.address
        if channel.kind is ChannelKind.SMS:
            found.append(Reach(label="Call", address=address, href=f"tel:{quote(address)}"))
            found.append(Reach(label="Text", address=address, href=f"sms:{quote(address)}"))
        elif channel.kind is ChannelKind.EMAIL:
            found.append(
                Reach(label="E-mail", address=address, href=f"mailto:{quote(address, safe='@')}")
            )
    return tuple(dict.fromkeys(found))
