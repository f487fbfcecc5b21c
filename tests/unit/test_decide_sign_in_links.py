"""Sign-in links: a partner's request is recorded on the plan; nobody else's is."""

from datetime import timedelta
from uuid import UUID

import msgspec
import pytest

from contracts.events import SignInLinkRequested
from contracts.ids import ParticipantId
from contracts.vocabulary import Channel, ChannelKind
from planner.domain.commands import RequestSignInLink
from planner.domain.decide import decide
from planner.domain.errors import NotAPartner
from planner.domain.evolve import evolve
from tests.support.builders import ALEX, CASEY, NOW, given, two_partners

LINK_ID = UUID("01950000-0000-7000-8000-0000000000e1")
CHANNEL = Channel(kind=ChannelKind.EMAIL, address="alex@example.org")


def request(actor: ParticipantId) -> RequestSignInLink:
    return RequestSignInLink(
        now=NOW,
        actor=actor,
        link_id=LINK_ID,
        display_name="Alex",
        channel=CHANNEL,
        expires_at=NOW + timedelta(minutes=15),
    )


def test_a_partners_sign_in_link_is_recorded_and_changes_nothing_else() -> None:
    state = given(*two_partners())
    [event] = decide(state, request(ALEX))
    assert event == SignInLinkRequested(
        participant_id=ALEX,
        link_id=LINK_ID,
        display_name="Alex",
        channel=CHANNEL,
        expires_at=NOW + timedelta(minutes=15),
    )
    after = evolve(state, event)
    assert msgspec.structs.replace(after, version=state.version) == state  # one more event, no more


def test_someone_who_is_not_a_partner_gets_no_link_through_this_plan() -> None:
    with pytest.raises(NotAPartner):
        decide(given(*two_partners()), request(ParticipantId(CASEY)))
