"""Live updates: a page subscribes to domain events; the subscription ends when its client goes away."""

import asyncio
from collections.abc import Callable
from typing import Any

from nicegui import Event, context, core
from nicegui.slot import Slot

from services.events import DomainEvent, bus

_events: dict[tuple[str, str | None], Event] = {}
_bridged: dict[str, Callable[[], None]] = {}


def _bridge(domain_event: DomainEvent) -> None:
    # One bus handler per event name fans out to the pages: those listening to all, and those to this key.
    loop = core.loop
    if loop is not None and loop.is_running() and not _on_loop(loop):
        loop.call_soon_threadsafe(_bridge, domain_event)  # pages may only be changed on the event loop
        return
    for key in (None, domain_event.key) if domain_event.key is not None else (None,):
        event = _events.get((domain_event.name, key))
        if event is not None and event.callbacks:
            event.emit(domain_event)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _prune(name: str, key: str | None) -> None:
    # Runs after NiceGUI removed the deleted client's callbacks: forget empty events, and the bus handler
    # of a name no page listens to any more.
    event = _events.get((name, key))
    if event is not None and not event.callbacks:
        del _events[(name, key)]
    if not any(n == name for n, _ in _events) and name in _bridged:
        _bridged.pop(name)()


def on(name: str, handler: Callable[[DomainEvent], Any], *, key: str | None = None) -> None:
    """Call `handler` (in this page's context) for each event `name` — only those for `key` if given."""
    event = _events.get((name, key))
    if event is None:
        event = _events[(name, key)] = Event()
    if not bus.is_subscribed(name, _bridge):
        _bridged[name] = bus.subscribe(name, _bridge)

    def callback(domain_event: DomainEvent) -> Any:
        # A wrapper of its own per subscription: NiceGUI unsubscribes by equality, and one handler shared by
        # several pages (a module-level function) would otherwise be dropped for all of them at once.
        return handler(domain_event)

    event.subscribe(callback, expect_args=True)
    if Slot.get_stack():  # inside a page: clean up after NiceGUI's own unsubscription when the client goes
        context.client.on_delete(lambda: _prune(name, key))


def subscriber_count(name: str | None = None) -> int:
    """How many page handlers are subscribed (to `name`, or in all): shows that closed pages let go."""
    return sum(len(ev.callbacks) for (n, _), ev in _events.items() if name is None or n == name)


def event_count() -> int:
    """How many (name, key) events exist: keyed subscriptions must not pile up after their pages close."""
    return len(_events)


def reset() -> None:
    """Forget every subscription (tests)."""
    for event in _events.values():
        event.callbacks.clear()
    _events.clear()
    for unsubscribe in _bridged.values():
        unsubscribe()
    _bridged.clear()
