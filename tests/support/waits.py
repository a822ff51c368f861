"""Waiting for what a user would notice — an event, a value — instead of asserting wall-clock limits."""

import asyncio
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar('T')


class _Patience(Generic[T]):
    """One wait: the predicate's value once it is truthy, or an AssertionError after `timeout` seconds."""

    def __init__(self, predicate: Callable[[], T], timeout: float) -> None:
        self.predicate = predicate
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout

    def value(self) -> T | None:
        """The predicate's value when truthy, None to go on waiting; raises when time is up."""
        value = self.predicate()
        if value:
            return value
        if time.monotonic() > self.deadline:
            name = getattr(self.predicate, '__name__', repr(self.predicate))
            raise AssertionError(f'gave up waiting after {self.timeout} s for {name}')
        return None


async def wait_for(predicate: Callable[[], T], *, timeout: float = 10.0, every: float = 0.05) -> T:
    """Poll `predicate` until it returns something truthy (and return it); fail after `timeout` seconds."""
    patience = _Patience(predicate, timeout)
    while (value := patience.value()) is None:
        await asyncio.sleep(every)
    return value


def wait_for_sync(predicate: Callable[[], T], *, timeout: float = 10.0, every: float = 0.05) -> T:
    """The same, for synchronous tests (threads, subprocesses)."""
    patience = _Patience(predicate, timeout)
    while (value := patience.value()) is None:
        time.sleep(every)
    return value
