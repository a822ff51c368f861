"""Waiting for what a user would notice — an event, a value — instead of asserting wall-clock limits."""

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar('T')


async def wait_for(predicate: Callable[[], T], *, timeout: float = 10.0, every: float = 0.05) -> T:
    """Poll `predicate` until it returns something truthy (and return it); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f'gave up waiting after {timeout} s for {getattr(predicate, "__name__", predicate)}')
        await asyncio.sleep(every)


def wait_for_sync(predicate: Callable[[], T], *, timeout: float = 10.0, every: float = 0.05) -> T:
    """The same, for synchronous tests (threads, subprocesses)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f'gave up waiting after {timeout} s for {getattr(predicate, "__name__", predicate)}')
        time.sleep(every)


def collect(into: list[Any]) -> Callable[[Any], None]:
    """A handler that keeps what it receives (for bus subscriptions in tests)."""
    return into.append
