"""Live updates: a page subscribes to domain events; the subscription ends when its client goes away."""

from collections.abc import Callable
from typing import Any

from nicegui import Event

from services.events import DomainEvent, bus

_events: dict[tuple[str, str | None], Event] = {}
_bridged: dict[str, Callable[[], None]] = {}


def _bridge(domain_event: DomainEvent) -> None:
    # One bus handler per event name fans out to the pages: those listening to all, and those to this key.
    for key in (None, domain_event.key) if domain_event.key is not None else (None,):
        event = _events.get((domain_event.name, key))
        if event is not None and event.callbacks:
            event.emit(domain_event)


def on(name: str, handler: Callable[[DomainEvent], Any], *, key: str | None = None) -> None:
    """Call `handler` (in this page's context) for each event `name` — only those for `key` if given."""
    event = _events.get((name, key))
    if event is None:
        event = _events[(name, key)] = Event()
    if name not in _bridged or bus.handler_count(name) == 0:
        _bridged[name] = bus.subscribe(name, _bridge)
    event.subscribe(handler, expect_args=True)


def subscriber_count(name: str | None = None) -> int:
    """How many page handlers are subscribed (to `name`, or in all): shows that closed pages let go."""
    return sum(len(ev.callbacks) for (n, _), ev in _events.items() if name is None or n == name)


def reset() -> None:
    """Forget every subscription (tests)."""
    for event in _events.values():
        event.callbacks.clear()
    _events.clear()
    for unsubscribe in _bridged.values():
        unsubscribe()
    _bridged.clear()
