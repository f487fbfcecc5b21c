"""What an HTTP answer means for a delivery, and reading Retry-After."""

import pytest

from notifier.channels.http_post import classify_status, parse_retry_after
from notifier.channels.retry import SENT

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_is_sent(status: int) -> None:
    assert classify_status(status, None, now=NOW) == SENT


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_timeouts_rate_limits_and_server_errors_are_retried(status: int) -> None:
    attempt = classify_status(status, None, now=NOW)
    assert (attempt.sent, attempt.permanent, attempt.reason) == (False, False, f"http {status}")


@pytest.mark.parametrize("status", [301, 302, 307, 400, 401, 403, 404, 410, 413, 422])
def test_redirects_and_other_client_errors_are_permanent(status: int) -> None:
    attempt = classify_status(status, None, now=NOW)
    assert (attempt.sent, attempt.permanent, attempt.reason) == (False, True, f"http {status}")


def test_a_429_carries_its_retry_after() -> None:
    assert classify_status(429, "12", now=NOW).retry_after == 12.0
    assert classify_status(503, "3", now=NOW).retry_after == 3.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Tue, 14 Nov 2023 22:14:20 GMT", 60.0),
        ("Tue, 14 Nov 2023 22:10:00 GMT", 0.0),  # already past: no wait
        ("Tue, 14 Nov 2023 22:14:20 -0000", 60.0),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header: str, seconds: float) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize("header", [None, "", "soon", "-5", "1.5", "²"])
def test_an_unreadable_retry_after_is_ignored(header: str | None) -> None:
    assert parse_retry_after(header, now=NOW) is None
