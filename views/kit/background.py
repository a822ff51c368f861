"""Process-wide work: start-up work and periodic jobs (sweeps, reminders, presence) — one timer per job, never one
per client.

Modules declare both in their register(); main.py runs `start_all()` once the database is migrated and the event
bus connected: first every start-up callback in declaration order (a failure stops the start-up), then the jobs.
Creating app timers before start-up would defer their coroutines, and a second start-up in the same process
(tests) would try to await those same coroutines again.
"""

import inspect
from collections.abc import Callable
from typing import Any

from nicegui import app

_jobs: dict[str, tuple[float, Callable[[], Any], bool]] = {}
_at_start: dict[str, Callable[[], Any]] = {}


def _name(callback: Callable[..., Any]) -> str:
    return f'{callback.__module__}.{callback.__qualname__}'


def every(interval: float, callback: Callable[[], Any], *, immediate: bool = False) -> None:
    """Run `callback` every `interval` seconds in this process, from start-up on (declared again: replaced)."""
    _jobs[_name(callback)] = (interval, callback, immediate)


def at_start(callback: Callable[[], Any]) -> None:
    """Run `callback` (may be async) once at start-up, after the migrations and before any job (declared again:
    replaced)."""
    _at_start[_name(callback)] = callback


async def start_all() -> None:
    """Run the start-up callbacks, then start every job (called by main.py's start-up handler)."""
    for callback in _at_start.values():
        result = callback()
        if inspect.isawaitable(result):
            await result
    for interval, callback, immediate in _jobs.values():
        app.timer(interval, callback, immediate=immediate)
