"""Process-wide periodic work (sweeps, reminders, presence): one timer per job, never one per client.

Modules declare jobs in their register(); main.py starts them once the event loop runs. Creating app timers
before start-up defers their coroutines, and a second start-up in the same process (tests) would try to
await those same coroutines again.
"""

from collections.abc import Callable
from typing import Any

from nicegui import app

_jobs: dict[str, tuple[float, Callable[[], Any], bool]] = {}


def every(interval: float, callback: Callable[[], Any], *, immediate: bool = False) -> None:
    """Run `callback` every `interval` seconds in this process, from start-up on (declared again: replaced)."""
    _jobs[f'{callback.__module__}.{callback.__qualname__}'] = (interval, callback, immediate)


def start_all() -> None:
    """Start every declared job (called by main.py's start-up handler)."""
    for interval, callback, immediate in _jobs.values():
        app.timer(interval, callback, immediate=immediate)
