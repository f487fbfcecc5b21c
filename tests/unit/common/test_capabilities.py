"""Signed capability links: verified, bound to their purpose, and expiring when asked."""

from datetime import UTC, datetime
from uuid import UUID

import pytest

from common.capabilities import (
    Capability,
    ExpiredCapability,
    InvalidCapability,
    invite_code,
    issue,
    verify,
    verify_signature,
)

SECRET = b"s3cret"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PLAN = UUID("01900000-0000-7000-8000-000000000001")
CONTACT = UUID("01900000-0000-7000-8000-000000000002")


def consent() -> Capability:
    return Capability(purpose="consent", plan_id=PLAN, subject_id=CONTACT)


def test_a_link_verifies_with_the_same_secret() -> None:
    assert verify(SECRET, issue(SECRET, consent()), "consent", NOW) == consent()


def test_a_link_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidCapability):
        verify(SECRET, issue(b"other", consent()), "consent", NOW)


def test_a_tampered_payload_is_refused() -> None:
    token = issue(SECRET, consent())
    payload, signature = token.split(".")
    forged = issue(SECRET, Capability(purpose="consent", plan_id=PLAN, subject_id=PLAN))
    with pytest.raises(InvalidCapability):
        verify(SECRET, forged.split(".")[0] + "." + signature, "consent", NOW)
    with pytest.raises(InvalidCapability):
        verify(SECRET, payload + "x." + signature, "consent", NOW)


def test_a_link_for_another_purpose_is_refused() -> None:
    with pytest.raises(InvalidCapability, match="purpose"):
        verify(SECRET, issue(SECRET, consent()), "ack", NOW)


def test_an_expired_link_is_refused() -> None:
    expiring = Capability(
        purpose="ack", plan_id=PLAN, subject_id=CONTACT, expires_at=int(NOW.timestamp())
    )
    with pytest.raises(ExpiredCapability, match="expired"):
        verify(SECRET, issue(SECRET, expiring), "ack", NOW)


def test_a_genuine_link_verifies_by_its_signature_alone_even_expired() -> None:
    expired = Capability(
        purpose="consent", plan_id=PLAN, subject_id=CONTACT, expires_at=int(NOW.timestamp())
    )
    assert verify_signature(SECRET, issue(SECRET, expired), "consent") == expired
    with pytest.raises(InvalidCapability):
        verify_signature(b"other", issue(SECRET, expired), "consent")
    with pytest.raises(InvalidCapability, match="purpose"):
        verify_signature(SECRET, issue(SECRET, expired), "ack")


def test_an_invite_code_is_derived_again_from_its_invite_and_the_secret_alone() -> None:
    assert invite_code(SECRET, PLAN) == invite_code(SECRET, PLAN)
    assert invite_code(SECRET, PLAN) != invite_code(SECRET, CONTACT)
    assert invite_code(SECRET, PLAN) != invite_code(b"other", PLAN)
    assert len(invite_code(SECRET, PLAN)) == 16  # 96 bits, base64url


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "!!!.???"])
def test_malformed_links_are_refused(token: str) -> None:
    with pytest.raises(InvalidCapability):
        verify(SECRET, token, "consent", NOW)
