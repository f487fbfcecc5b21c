"""Which errors mean a server is unreachable (503 with Retry-After) rather than a bug (500)."""

import asyncpg
import nats.errors
import pytest

from planner.store.event_store import EventStoreError, translated
from planner.store.outages import is_outage, outage_in


def raised_from(error: BaseException) -> EventStoreError:
    """``error`` wrapped the way the store's adapters wrap asyncpg's errors."""
    try:
        raise EventStoreError(str(error)) from error
    except EventStoreError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        FileNotFoundError(2, "No such file or directory"),  # a stopped server's Unix socket
        TimeoutError(),  # a connect or pool acquisition that timed out
        asyncpg.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.InterfaceError("cannot perform operation: connection is closed"),
        nats.errors.NoServersError(),
    ],
)
def test_an_unreachable_server_is_an_outage_also_when_wrapped(error: BaseException) -> None:
    assert is_outage(error)
    assert outage_in(raised_from(error)) is error


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        asyncpg.UniqueViolationError("duplicate key"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
    ],
)
def test_other_errors_are_not_outages(error: BaseException) -> None:
    assert not is_outage(error)
    assert not is_outage(raised_from(error))


def test_a_cycle_of_causes_ends() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert not is_outage(first)


def test_a_connection_still_busy_after_the_server_dropped_it_is_a_store_error() -> None:
    """A shutdown mid-statement can leave asyncpg refusing the next one as still busy: the
    relay then starts a new session, as for any lost one, instead of crashing."""
    with pytest.raises(EventStoreError), translated():
        raise asyncpg.InternalClientError("cannot switch to state 12; another operation (2)")
