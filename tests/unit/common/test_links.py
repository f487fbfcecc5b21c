"""Signed links: each verifies as the planner checks it, for its own activation or request."""

from datetime import timedelta
from uuid import UUID

import pytest

from common.capabilities import Capability, InvalidCapability, verify
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
REQUEST_ID = UUID("01950000-0000-7000-8000-0000000000d2")
OTHER_REQUEST_ID = UUID("01950000-0000-7000-8000-0000000000d3")
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


def test_a_consent_link_answers_one_request_until_it_expires() -> None:
    link = consent_link(SECRET, BASE_URL, PLAN_ID, DANA, REQUEST_ID, EXPIRES)
    token = token_of(link, f"{BASE_URL}/v1/consents/")
    assert verify(SECRET, token, "consent", NOW) == Capability(
        purpose="consent",
        plan_id=PLAN_ID,
        subject_id=DANA,
        expires_at=int(EXPIRES.timestamp()),
        request_id=REQUEST_ID,
    )
    with pytest.raises(InvalidCapability):
        verify(SECRET, token, "consent", EXPIRES)


def test_each_consent_request_has_a_link_of_its_own() -> None:
    first = consent_link(SECRET, BASE_URL, PLAN_ID, DANA, REQUEST_ID, EXPIRES)
    again = consent_link(SECRET, BASE_URL, PLAN_ID, DANA, OTHER_REQUEST_ID, EXPIRES)
    assert first != again
    assert first == consent_link(SECRET, BASE_URL, PLAN_ID, DANA, REQUEST_ID, EXPIRES)


def test_the_page_and_the_operation_of_a_link_carry_the_same_token() -> None:
    operation = ack_link(SECRET, BASE_URL, PLAN_ID, ACTIVATION_ID, DANA, EXPIRES)
    page = ack_link(SECRET, BASE_URL, PLAN_ID, ACTIVATION_ID, DANA, EXPIRES, page=True)
    assert token_of(page, f"{BASE_URL}/ack/") == token_of(operation, ACK_PREFIX)
    asked = consent_link(SECRET, BASE_URL, PLAN_ID, DANA, REQUEST_ID, EXPIRES, page=True)
    assert token_of(asked, f"{BASE_URL}/consent/") == token_of(
        consent_link(SECRET, BASE_URL, PLAN_ID, DANA, REQUEST_ID, EXPIRES),
        f"{BASE_URL}/v1/consents/",
    )
