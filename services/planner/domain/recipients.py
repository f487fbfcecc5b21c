"""Who an activation reaches, and in which tier. Frozen into ``PlanActivated`` when it happens."""

from collections.abc import Mapping
from datetime import datetime

from contracts.ids import ParticipantId, RecipientId
from contracts.vocabulary import ActivationTier, Channel, Level, Recipient, RecipientKind
from planner.domain.privacy import may_alert
from planner.domain.state import Partner, PlanState, SupportContact

DEFAULT_ACK_TIMEOUT_SECONDS = 600

Member = Partner | SupportContact
Group = tuple[list[Member], int]  # the members of one tier, and its acknowledgement timeout


def resolve_recipients(
    state: PlanState,
    level: Level,
    activator: ParticipantId,
    now: datetime,
    partner_channels: Mapping[ParticipantId, tuple[Channel, ...]] | None = None,
    do_not_involve: frozenset[str] = frozenset(),
) -> tuple[tuple[Recipient, ...], tuple[ActivationTier, ...]]:
    """The recipients and tiers of an activation at ``level`` started by ``activator``.

    The other partner is always in tier 1. A contact is reached only with current consent
    covering ``level``, when ``activator`` agreed that they may learn about them, and when
    no address of theirs is on ``activator``'s "do not involve" list (``privacy``). Tiers
    left empty are dropped and the rest renumbered from 1.
    """
    partners: list[Member] = [p for p in state.partners if p.participant_id != activator]
    eligible = {
        c.contact_id: c
        for c in state.contacts.values()
        if may_alert(c, level, activator, now, do_not_involve)
    }
    policy = state.policies.get(level, ())
    groups: list[Group]
    if policy:
        groups = [
            ([eligible[c] for c in t.contact_ids if c in eligible], t.ack_timeout_seconds)
            for t in policy
        ]
        # The partner belongs to the first tier whatever the policy says: the first tier
        # keeps its own timeout, and survives with only the partner in it.
        groups[0] = ([*partners, *groups[0][0]], groups[0][1])
    else:
        groups = [([*partners, *eligible.values()], DEFAULT_ACK_TIMEOUT_SECONDS)]
    return _number([g for g in groups if g[0]], partner_channels or {}, activator)


def _number(
    groups: list[Group],
    partner_channels: Mapping[ParticipantId, tuple[Channel, ...]],
    activator: ParticipantId,
) -> tuple[tuple[Recipient, ...], tuple[ActivationTier, ...]]:
    recipients: list[Recipient] = []
    tiers: list[ActivationTier] = []
    for number, (members, timeout) in enumerate(groups, start=1):
        in_tier = [_recipient(m, number, partner_channels, activator) for m in members]
        recipients.extend(in_tier)
        tiers.append(
            ActivationTier(
                tier=number,
                recipient_ids=tuple(r.recipient_id for r in in_tier),
                ack_timeout_seconds=timeout,
            )
        )
    return tuple(recipients), tuple(tiers)


def _recipient(
    member: Member,
    tier: int,
    partner_channels: Mapping[ParticipantId, tuple[Channel, ...]],
    activator: ParticipantId,
) -> Recipient:
    if isinstance(member, Partner):
        return Recipient(
            recipient_id=RecipientId(member.participant_id),
            kind=RecipientKind.PARTNER,
            display_name=member.display_name,
            tier=tier,
            channels=partner_channels.get(member.participant_id, ()),
        )
    return Recipient(
        recipient_id=RecipientId(member.contact_id),
        kind=RecipientKind.CONTACT,
        display_name=member.display_name,
        tier=tier,
        channels=member.channels,
        scope=member.scope,
        disclosure=member.allows(activator),
    )
