"""Standard Webhooks signatures: the published test vector, and what verify() rejects."""

import base64
import hashlib
import hmac
import secrets

import pytest

from notifier.channels.webhook import (
    InvalidWebhookSecret,
    sign,
    verify,
)

# The vector of the reference libraries' tests (standard-webhooks/standard-webhooks,
# libraries/python/tests/test_webhooks.py, test_sign_function).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def random_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def spec_headers(signature: str = SPEC_SIGNATURE) -> dict[str, str]:
    return {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": signature,
    }


def test_signing_reproduces_the_published_vector() -> None:
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.encode()) == SPEC_SIGNATURE


def test_a_secret_without_its_prefix_signs_the_same() -> None:
    bare = SPEC_SECRET.removeprefix("whsec_")
    assert sign(bare, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_a_signature_is_hmac_sha256_over_id_timestamp_and_body() -> None:
    secret = random_secret()
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = hmac.new(key, b"abc.1700000000.{}", hashlib.sha256).digest()
    assert sign(secret, "abc", 1700000000, b"{}") == "v1," + base64.b64encode(expected).decode()


def test_verify_accepts_the_vector_within_the_tolerance() -> None:
    assert verify(SPEC_SECRET, spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP + 299)


def test_verify_finds_the_valid_one_among_several_signatures() -> None:
    header = f"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= {SPEC_SIGNATURE}"
    assert verify(SPEC_SECRET, spec_headers(header), SPEC_BODY, now=SPEC_TIMESTAMP)


@pytest.mark.parametrize(
    ("headers", "body", "now"),
    [
        (spec_headers(), '{"test": 2432232315}', SPEC_TIMESTAMP),  # body changed
        (
            spec_headers("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="),
            SPEC_BODY,
            SPEC_TIMESTAMP,
        ),
        (spec_headers(), SPEC_BODY, SPEC_TIMESTAMP + 301),  # too old: a replay
        (spec_headers(), SPEC_BODY, SPEC_TIMESTAMP - 301),  # from the future
        ({**spec_headers(), "webhook-id": "msg_other"}, SPEC_BODY, SPEC_TIMESTAMP),
        ({**spec_headers(), "webhook-timestamp": "hello"}, SPEC_BODY, SPEC_TIMESTAMP),
        (
            {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TIMESTAMP)},
            SPEC_BODY,
            SPEC_TIMESTAMP,
        ),
    ],
    ids=["body", "signature", "old", "future", "id", "timestamp", "missing-signature"],
)
def test_verify_rejects_anything_altered(headers: dict[str, str], body: str, now: float) -> None:
    assert not verify(SPEC_SECRET, headers, body, now=now)


def test_verify_rejects_another_secret() -> None:
    assert not verify(random_secret(), spec_headers(), SPEC_BODY, now=SPEC_TIMESTAMP)


@pytest.mark.parametrize("secret", ["whsec_not base64!", "whsec_", ""])
def test_a_secret_that_is_not_base64_or_empty_is_refused(secret: str) -> None:
    with pytest.raises(InvalidWebhookSecret):
        sign(secret, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
