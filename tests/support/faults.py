"""Faults injected at a loop's seam: one dependency of the notifier raises, then works again.

For errors that cannot be produced for real on cue (a JetStream API error on one publish,
a session lost in the middle of one query, a bug). The servers stay real: only the one
call is wrapped, and once its errors are spent it calls the real function again.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest


class Fault:
    """Raises ``errors`` in turn on the first calls, then ``held()`` on every call while it
    is set; then calls through. ``raised`` names what it raised, in order."""

    def __init__(
        self,
        errors: Sequence[BaseException] = (),
        *,
        held: Callable[[], BaseException] | None = None,
    ) -> None:
        self.errors = list(errors)
        self.held = held
        self.raised: list[str] = []

    @property
    def spent(self) -> bool:
        return not self.errors and self.held is None

    def wrap(self, real: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        # A plain function: patched onto a class it is bound as a method, like the real one.
        async def faulty(*args: Any, **kwargs: Any) -> Any:
            error = self.errors.pop(0) if self.errors else None
            if error is None and self.held is not None:
                error = self.held()
            if error is not None:
                self.raised.append(type(error).__name__)
                raise error
            return await real(*args, **kwargs)

        return faulty


def inject(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, fault: Fault) -> Fault:
    """``owner.name`` (a module's function or a class's method) raises as ``fault`` says."""
    monkeypatch.setattr(owner, name, fault.wrap(getattr(owner, name)))
    return fault
