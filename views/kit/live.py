"""The one live helper: pages (and process-wide listeners) follow typed domain events, and time passing.

- `on(EVENT, handler, key=..., at_most_every=..., batch=...)` inside a page: `handler(payload)` runs in that page's
  context for each event (only those for `key` if given) until the page's client goes away.
  `at_most_every=s` coalesces: the first event of a quiet spell is handled at once, later ones at most every `s`
  seconds — the last payload wins, or with `batch=True` the handler gets the list of payloads since the last call.
  `s` may be a function returning seconds, asked each time (a pace that grows with the number of open pages).
  `events` may be a tuple of event types that share one limit.
- `listen(...)`: the same, process-wide, for one listener that serves many pages (a comment stream, viewer
  counts). Listeners declared with `listen` stay attached when the bus is reset (tests).
- `tick(seconds, handler)` inside a page: `handler()` every `seconds` while the page is open — driven by one
  process-wide clock, not a timer per page.
"""

import asyncio
import heapq
import itertools
import logging
import time
import weakref
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any, Generic, TypeVar

from nicegui import Event, background_tasks, context, core, helpers
from nicegui.slot import Slot

from services.events import DomainEvent, EventType, Payload, bus

log = logging.getLogger(__name__)
P = TypeVar('P', bound=Payload)
Pace = float | Callable[[], float]  # seconds between two calls, or a function that says so now (a load-aware pace)
CLOCK_EVERY = 1.0  # seconds: the resolution of tick()

_events: dict[tuple[str, str | None], Event[[DomainEvent[Any]]]] = {}
_bridged: dict[str, Callable[[], None]] = {}
_listeners: dict[str, tuple[EventType[Any], Callable[[DomainEvent[Any]], Any]]] = {}


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _bridge(domain_event: DomainEvent[Any]) -> None:
    # One bus handler per event name fans out to the pages: those listening to all, and those to this key.
    loop = core.loop
    if loop is not None and loop.is_running() and not _on_loop(loop):
        loop.call_soon_threadsafe(_bridge, domain_event)  # pages may only be changed on the event loop
        return
    for key in (None, domain_event.key) if domain_event.key is not None else (None,):
        event = _events.get((domain_event.name, key))
        if event is not None and event.callbacks:
            event.emit(domain_event)


def _prune(name: str, key: str | None) -> None:
    # Runs after NiceGUI removed the deleted client's callbacks: forget empty events, and the bus handler
    # of a name no page listens to any more.
    event = _events.get((name, key))
    if event is not None and not event.callbacks:
        del _events[(name, key)]
    if not any(n == name for n, _ in _events) and name in _bridged:
        _bridged.pop(name)()


def _run(handler: Callable[..., Any], *args: Any) -> None:
    # Like NiceGUI's own event callbacks: an async handler becomes a task, an error goes to the app's handler.
    try:
        result = handler(*args)
        if helpers.should_await(result):
            background_tasks.create(result, name=f'live {getattr(handler, "__qualname__", handler)}')
    except Exception as error:
        core.app.handle_exception(error)


class _Coalescer(Generic[P]):
    """Hands payloads to a handler at most every `every` seconds: the last one, or the batch since the last call."""

    def __init__(self, handler: Callable[[Any], Any], every: 'Pace', batch: bool) -> None:
        self.handler = handler
        self.every = every
        self.batch = batch
        self.pending: list[P] = []
        self.last = -float('inf')
        self.timer: asyncio.TimerHandle | None = None
        self.slot: weakref.ref[Slot] | None = weakref.ref(context.slot) if Slot.get_stack() else None
        self.closed = False

    def __call__(self, payload: P) -> None:
        if self.batch:
            self.pending.append(payload)
        else:
            self.pending[:] = [payload]
        if self.timer is not None:
            return
        wait = self.last + (self.every() if callable(self.every) else self.every) - time.monotonic()
        if wait <= 0 or core.loop is None:
            self.fire()
        else:
            self.timer = core.loop.call_later(wait, self.fire)

    def fire(self) -> None:
        """Hand over what is pending (in the page's context)."""
        self.timer = None
        if self.closed or not self.pending:
            return
        slot = self.slot() if self.slot is not None else None
        if self.slot is not None and (slot is None or slot.parent.client.id not in slot.parent.client.instances):
            self.close()
            return
        self.last = time.monotonic()
        items, self.pending = self.pending, []
        with slot or nullcontext():
            _run(self.handler, items if self.batch else items[-1])

    def close(self) -> None:
        """Stop: nothing pending is handed over any more."""
        self.closed = True
        self.pending = []
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def _payload_handler(handler: Callable[..., Any], at_most_every: 'Pace | None',
                     batch: bool) -> tuple[Callable[[DomainEvent[Any]], Any], _Coalescer[Any] | None]:  # fmt: skip
    if at_most_every is None and not batch:

        def direct(domain_event: DomainEvent[Any]) -> Any:
            # A wrapper of its own per subscription: NiceGUI unsubscribes by equality, and one handler shared by
            # several pages (a module-level function) would otherwise be dropped for all of them at once.
            return handler(domain_event.payload)

        return direct, None
    coalescer: _Coalescer[Any] = _Coalescer(handler, at_most_every or 0.0, batch)
    return (lambda domain_event: coalescer(domain_event.payload)), coalescer


Events = EventType[Any] | tuple[EventType[Any], ...]


def _types(events: Events) -> tuple[EventType[Any], ...]:
    return events if isinstance(events, tuple) else (events,)


def on(events: Events, handler: Callable[..., Any], *, key: str | int | None = None,
       at_most_every: Pace | None = None, batch: bool = False) -> None:  # fmt: skip
    """Follow one event type (or several, sharing one limit) on this page until it closes: `handler(payload)`, or
    `handler([payloads])` with batch."""
    wanted = None if key is None else str(key)
    callback, coalescer = _payload_handler(handler, at_most_every, batch)
    names = []
    for event_type in _types(events):
        name = event_type.name
        names.append(name)
        event = _events.get((name, wanted))
        if event is None:
            event = _events[(name, wanted)] = Event()
        if name not in _bridged:
            _bridged[name] = bus.subscribe(event_type, _bridge)
        event.subscribe(callback, expect_args=True)
    if Slot.get_stack():  # inside a page: clean up after NiceGUI's own unsubscription when the client goes

        def forget() -> None:
            if coalescer is not None:
                coalescer.close()
            for name in names:
                _prune(name, wanted)

        context.client.on_delete(forget)


def listen(events: Events, handler: Callable[..., Any], *, key: str | int | None = None,
           at_most_every: Pace | None = None, batch: bool = False) -> None:  # fmt: skip
    """Process-wide: `handler(payload)` for each event (coalesced as in `on`), for as long as the process runs."""
    wanted = None if key is None else str(key)
    callback, _coalescer = _payload_handler(handler, at_most_every, batch)

    def on_loop(domain_event: DomainEvent[Any]) -> None:
        loop = core.loop
        if loop is not None and loop.is_running() and not _on_loop(loop):
            loop.call_soon_threadsafe(on_loop, domain_event)  # listeners change pages: only on the event loop
            return
        if wanted is None or domain_event.key == wanted:
            _run(callback, domain_event)

    # Declared again (register() runs again when tests restart the app): the new listener replaces the old one.
    who = f'{getattr(handler, "__module__", "")}.{getattr(handler, "__qualname__", "")}'
    for event_type in _types(events):
        name = f'{event_type.name}:{wanted}:{who}'
        previous = _listeners.pop(name, None)
        if previous is not None:
            bus.unsubscribe(*previous)
        _listeners[name] = (event_type, on_loop)
        bus.subscribe(event_type, on_loop)


# -- time passing ------------------------------------------------------------------------------------------------
_ticks: list[tuple[float, int, float, weakref.ref[Slot] | None, Callable[[], Any]]] = []
_tick_ids = itertools.count()


def tick(seconds: float, handler: Callable[[], Any]) -> None:
    """Call `handler()` every `seconds` (at a resolution of CLOCK_EVERY) while this page is open."""
    slot = weakref.ref(context.slot) if Slot.get_stack() else None
    heapq.heappush(_ticks, (time.monotonic() + seconds, next(_tick_ids), seconds, slot, handler))


def run_clock() -> None:
    """The process-wide clock behind `tick` (a job of the app, every CLOCK_EVERY seconds)."""
    now = time.monotonic()
    while _ticks and _ticks[0][0] <= now:
        _due, _id, seconds, slot_ref, handler = heapq.heappop(_ticks)
        slot = slot_ref() if slot_ref is not None else None
        if slot_ref is not None and (slot is None or slot.parent.client.id not in slot.parent.client.instances):
            continue  # the page is gone: its tick ends here
        with slot or nullcontext():
            _run(handler)
        heapq.heappush(_ticks, (now + seconds, next(_tick_ids), seconds, slot_ref, handler))


# -- introspection and tests -------------------------------------------------------------------------------------
def subscriber_count(event_type: EventType[Any] | None = None) -> int:
    """How many page handlers are subscribed (to one event type, or in all): shows that closed pages let go."""
    return sum(len(ev.callbacks) for (n, _), ev in _events.items() if event_type is None or n == event_type.name)


def event_count() -> int:
    """How many (name, key) events exist: keyed subscriptions must not pile up after their pages close."""
    return len(_events)


def tick_count() -> int:
    """How many page ticks are scheduled (closed pages drop out at their next due time)."""
    return len(_ticks)


def reset() -> None:
    """Forget every page subscription and tick (tests); process-wide listeners are attached to the bus again."""
    for event in _events.values():
        event.callbacks.clear()
    _events.clear()
    for unsubscribe in _bridged.values():
        unsubscribe()
    _bridged.clear()
    _ticks.clear()
    for event_type, handler in _listeners.values():
        if not bus.is_subscribed(event_type, handler):
            bus.subscribe(event_type, handler)
