"""Signed links: the ack link verifies as the planner checks it; the consent link matches."""

from datetime import timedelta

import pytest

from common.capabilities import Capability, InvalidCapability, issue, verify
from common.links import ack_link, consent_link
from tests.unit.notifier_domain.builders import (
    ACTIVATION_ID,
    BASE_URL,
    DANA,
    LATER,
    NOW,
    PLAN_ID,
    SECRET,
)

EXPIRES = NOW + timedelta(hours=1)
ACK_PREFIX = f"{BASE_URL}/v1/acks/"


def token_of(link: str, prefix: str) -> str:
    assert link.startswith(prefix)
    return link.removeprefix(prefix)


def test_an_ack_link_verifies_as_an_ack_for_the_recipient_and_activation() -> None:
    link = ack_link(SECRET, BASE_URL, PLAN_ID, ACTIVATION_ID, DANA, EXPIRES)
    capability = verify(SECRET, token_of(link, ACK_PREFIX), "ack", LATER)
    assert capability == Capability(
        purpose="ack",
        plan_id=PLAN_ID,
        subject_id=DANA,
        activation_id=ACTIVATION_ID,
        expires_at=int(EXPIRES.timestamp()),
    )


def test_an_ack_link_stops_working_when_it_expires() -> None:
    token = token_of(ack_link(SECRET, BASE_URL, PLAN_ID, ACTIVATION_ID, DANA, EXPIRES), ACK_PREFIX)
    with pytest.raises(InvalidCapability):
        verify(SECRET, token, "ack", EXPIRES)


def test_an_ack_link_does_not_verify_under_another_secret_or_as_a_consent() -> None:
    token = token_of(ack_link(SECRET, BASE_URL, PLAN_ID, ACTIVATION_ID, DANA, EXPIRES), ACK_PREFIX)
    with pytest.raises(InvalidCapability):
        verify(b"x" * 32, token, "ack", NOW)
    with pytest.raises(InvalidCapability):
        verify(SECRET, token, "consent", NOW)


def test_a_consent_link_is_the_one_the_planner_issues() -> None:
    expected = issue(SECRET, Capability(purpose="consent", plan_id=PLAN_ID, subject_id=DANA))
    link = consent_link(SECRET, BASE_URL, PLAN_ID, DANA)
    assert link == f"{BASE_URL}/v1/consents/{expected}"
    capability = verify(SECRET, expected, "consent", NOW)
    assert (capability.subject_id, capability.expires_at) == (DANA, None)
