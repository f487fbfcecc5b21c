"""A loop's guard: logs the error's type (never its message), backs off, tells the probe."""

import structlog

from common.waiting import Faults, Guard
from tests.support.log_capture import captured_logs

log = structlog.stdlib.get_logger("test.guard")


def test_an_expected_error_is_a_warning_naming_its_type_and_never_its_message() -> None:
    guard = Guard("sending", log, expected=(OSError,), event="loop.failed")
    with captured_logs() as logs:
        delay = guard.failed(ConnectionResetError("peer jo@example.org went away"))

    [line] = logs.events("loop.failed")
    assert (line["level"], line["loop"], line["error"]) == (
        "warning",
        "sending",
        "ConnectionResetError",
    )
    assert line["retry_in"] == round(delay, 3)
    assert "jo@example.org" not in logs.text
    assert "at" not in line


def test_an_unexpected_error_is_an_error_with_where_it_was_raised() -> None:
    guard = Guard("chores", log, expected=(OSError,))

    def buggy() -> None:
        raise KeyError("Jo")

    try:
        buggy()
    except KeyError as exc:
        with captured_logs() as logs:
            guard.failed(exc)

    [line] = logs.events("loop.failed")
    assert line["level"] == "error"
    assert line["error"] == "KeyError"
    assert line["at"].startswith("test_guard.py:")
    assert "Jo" not in logs.text


def test_the_back_off_grows_while_failing_and_starts_over_after_a_success() -> None:
    guard = Guard("sending", log)
    with captured_logs():
        first = [guard.failed(OSError()) for _ in range(5)]
        guard.succeeded()
        again = guard.failed(OSError())

    assert first == sorted(first)
    assert first[-1] > first[0]
    assert again <= first[1]


def test_a_failing_loop_is_listed_in_the_faults_until_it_succeeds() -> None:
    faults = Faults()
    guard = Guard("reporter", log, faults=faults)
    with captured_logs():
        guard.failed(TimeoutError())

    assert faults.failing == {"reporter": "TimeoutError"}
    guard.succeeded()
    assert faults.failing == {}
