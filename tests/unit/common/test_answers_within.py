"""Readiness probes run together under one budget: a hanging one says so, in time."""

import asyncio

import pytest

from common.waiting import answers_within

GUARD_SECONDS = 10.0  # only so that a broken answers_within fails instead of hanging


async def _answer(value: str, after: float = 0.0) -> str:
    await asyncio.sleep(after)
    return value


async def test_checks_that_answer_in_time_give_their_answers_and_a_hanging_one_is_late() -> None:
    hanging = asyncio.Event()  # never set

    async def never() -> str:
        await hanging.wait()
        return "unreachable"

    async with asyncio.timeout(GUARD_SECONDS):
        found = await answers_within(
            0.2, {"fast": _answer("ok"), "soon": _answer("ok", 0.01), "stuck": never()}, "late"
        )

    assert found == {"fast": "ok", "soon": "ok", "stuck": "late"}


async def test_a_check_given_up_on_is_cancelled_without_being_waited_for() -> None:
    cancelled = asyncio.Event()
    release = asyncio.Event()

    async def slow_to_unwind() -> str:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            await release.wait()  # like asyncpg cancelling a query on a frozen server
            raise
        return "never"

    async with asyncio.timeout(GUARD_SECONDS):
        found = await answers_within(0.05, {"stuck": slow_to_unwind()}, "late")
        assert found == {"stuck": "late"}
        await cancelled.wait()  # it was told to stop; the answer did not wait for it to end
        release.set()


async def test_the_checks_run_at_once_not_one_after_another() -> None:
    started: list[str] = []
    both = asyncio.Event()

    async def waits_for_the_other(name: str) -> str:
        started.append(name)
        if len(started) == 2:
            both.set()
        await both.wait()
        return "ok"

    async with asyncio.timeout(GUARD_SECONDS):
        found = await answers_within(
            5.0, {"a": waits_for_the_other("a"), "b": waits_for_the_other("b")}, "late"
        )

    assert found == {"a": "ok", "b": "ok"}


async def test_a_check_that_raises_raises() -> None:
    async def broken() -> str:
        raise ValueError("a bug in a probe")

    with pytest.raises(ValueError, match="a bug"):
        await answers_within(1.0, {"broken": broken()}, "late")


async def test_no_checks_answer_at_once() -> None:
    assert await answers_within(1.0, {}, "late") == {}
