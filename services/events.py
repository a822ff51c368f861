"""Domain events: typed, published after a transaction commits, carried in-process or between processes by Redis.

Each module declares its events in `services/<module>/events.py`: `NAME = EventType('module.what', Payload)`.
A service stages one inside its unit of work (`bus.stage(session, NAME, Payload(...), key=...)`); once the session
commits, the bus hands the same typed payload to every subscriber in this process, and sends it as JSON to the
other processes, which decode it back into its type once each. A message from Redis that is not one of ours, names
an unknown event or does not fit its payload type is dropped with one log line.
"""

import asyncio
import contextlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)
PENDING_KEY = 'scc_pending_events'
REDIS_TIMEOUT = 2.0  # seconds: a Redis that does not answer must not hold a request or /healthz for long


class Payload(BaseModel):
    """Base of every event payload: immutable, because one parsed copy is shared by every page it reaches."""

    model_config = ConfigDict(frozen=True)


P = TypeVar('P', bound=Payload)
_TYPES: dict[str, 'EventType[Any]'] = {}


class EventType(Generic[P]):
    """A kind of domain event: its name on the wire and the type of its payload."""

    name: str
    payload: type[P]
    doc: str

    def __init__(self, name: str, payload: type[P], *, doc: str = '') -> None:
        known = _TYPES.get(name)
        if known is not None and known.payload is not payload:
            raise ValueError(f'event {name!r} is declared twice with different payloads')
        self.name = name
        self.payload = payload
        self.doc = doc  # what the key is, for docs and readers
        _TYPES[name] = self

    def __repr__(self) -> str:
        return f'EventType({self.name!r}, {self.payload.__name__})'


def event_types() -> dict[str, 'EventType[Any]']:
    """Every declared event type by name (docs, tests)."""
    return dict(_TYPES)


@dataclass(frozen=True, slots=True)
class DomainEvent(Generic[P]):
    """Something that happened in the city: its type, its typed payload, and a `key` that narrows who cares."""

    type: EventType[P]
    payload: P
    key: str | None = None
    origin: str = ''
    at: float = 0.0

    @property
    def name(self) -> str:
        """The event's name on the wire, like 'notice.posted'."""
        return self.type.name


Handler = Callable[[DomainEvent[Any]], Any]


def encode(domain_event: DomainEvent[Any]) -> str:
    """The JSON text that carries an event to other processes."""
    return json.dumps({'name': domain_event.name, 'key': domain_event.key, 'origin': domain_event.origin,
                       'at': domain_event.at, 'payload': domain_event.payload.model_dump(mode='json')})  # fmt: skip


def decode(message: Any) -> DomainEvent[Any] | None:
    """The typed event in a Redis message, or None (with one log line) when it is not a valid event of ours."""
    try:
        raw = json.loads(message)
    except (ValueError, TypeError):
        log.warning('dropped a message on the event channel that is not JSON')
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get('name'), str):
        log.warning('dropped a message on the event channel without an event name')
        return None
    event_type = _TYPES.get(raw['name'])
    if event_type is None:
        log.warning('dropped an event of unknown type %r', raw['name'][:80])
        return None
    try:
        payload = event_type.payload.model_validate(raw.get('payload'))
        key = raw.get('key')
        return DomainEvent(type=event_type, payload=payload, key=None if key is None else str(key),
                           origin=str(raw.get('origin') or ''), at=float(raw.get('at') or 0.0))  # fmt: skip
    except (ValidationError, ValueError, TypeError) as error:
        log.warning('dropped a malformed %s event: %s', event_type.name, str(error).splitlines()[0][:200])
        return None


class EventBus:
    """Fan-out of domain events to local subscribers, mirrored through Redis pub/sub when configured."""

    def __init__(self) -> None:
        self.origin = f'{os.getpid()}-{uuid.uuid4().hex[:8]}'
        self._handlers: dict[str, list[Handler]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._redis_url = ''
        self._channel = 'scc:events'
        self._redis_async: Any = None
        self._redis_sync: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._subscribed: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connected = False
        self.published = 0
        self.received_remote = 0

    # -- subscribing -------------------------------------------------------------------------
    def subscribe(self, event_type: EventType[Any], handler: Handler) -> Callable[[], None]:
        """Call `handler` for every event of `event_type`; returns a function that unsubscribes."""
        name = event_type.name
        self._handlers.setdefault(name, []).append(handler)

        def unsubscribe() -> None:
            handlers = self._handlers.get(name, [])
            if handler in handlers:
                handlers.remove(handler)

        return unsubscribe

    def unsubscribe(self, event_type: EventType[Any], handler: Handler) -> None:
        """Stop calling `handler` for `event_type`."""
        handlers = self._handlers.get(event_type.name, [])
        if handler in handlers:
            handlers.remove(handler)

    def is_subscribed(self, event_type: EventType[Any], handler: Handler) -> bool:
        """Whether `handler` listens to `event_type`."""
        return handler in self._handlers.get(event_type.name, [])

    def handler_count(self, event_type: EventType[Any] | None = None) -> int:
        """How many handlers listen (to one event type, or in all)."""
        if event_type is not None:
            return len(self._handlers.get(event_type.name, []))
        return sum(len(h) for h in self._handlers.values())

    # -- publishing --------------------------------------------------------------------------
    def stage(self, session: Session, event_type: EventType[P], payload: P, *, key: str | int | None = None) -> None:
        """Publish the event once `session` commits; forget it if the session (or its savepoint) rolls back."""
        if not isinstance(payload, event_type.payload):
            raise TypeError(f'{event_type.name} carries {event_type.payload.__name__}, not {type(payload).__name__}')
        owner = session.get_nested_transaction() or session.get_transaction()
        pending = DomainEvent(type=event_type, payload=payload, key=None if key is None else str(key))
        session.info.setdefault(PENDING_KEY, []).append((pending, owner))

    def publish(self, event_type: EventType[P], payload: P, *, key: str | int | None = None) -> DomainEvent[P]:
        """Publish now (use `stage` inside a transaction)."""
        if not isinstance(payload, event_type.payload):
            raise TypeError(f'{event_type.name} carries {event_type.payload.__name__}, not {type(payload).__name__}')
        domain_event = DomainEvent(type=event_type, payload=payload, key=None if key is None else str(key),
                                   origin=self.origin, at=time.time())  # fmt: skip
        self.published += 1
        self._deliver_local(domain_event)
        if self._redis_url:
            self._publish_remote(domain_event)
        return domain_event

    def _deliver_local(self, domain_event: DomainEvent[Any]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed() or threading.get_ident() == self._loop_thread:
            self._dispatch(domain_event)
        else:  # pages may only be changed on the event loop
            loop.call_soon_threadsafe(self._dispatch, domain_event)

    def _dispatch(self, domain_event: DomainEvent[Any]) -> None:
        for handler in list(self._handlers.get(domain_event.name, [])):
            try:
                handler(domain_event)
            except Exception:
                log.exception('event handler failed for %s', domain_event.name)

    def _publish_remote(self, domain_event: DomainEvent[Any]) -> None:
        payload = encode(domain_event)
        if self._loop is not None and threading.get_ident() == self._loop_thread and self._redis_async is not None:
            task = self._loop.create_task(self._redis_async.publish(self._channel, payload))
            self._tasks.add(task)
            task.add_done_callback(self._publish_done)
        elif self._redis_sync is not None:
            try:
                self._redis_sync.publish(self._channel, payload)
            except Exception:
                log.exception('could not publish %s to Redis', domain_event.name)

    def _publish_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error('could not publish an event to Redis: %s', task.exception())

    # -- lifecycle ---------------------------------------------------------------------------
    def connect_publisher(self, redis_url: str, channel: str = 'scc:events') -> None:
        """Publish to Redis without listening: for scripts and tests that change state from outside the app."""
        import redis

        self._redis_url = redis_url
        self._channel = channel
        self._redis_sync = redis.Redis.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT,
                                                socket_timeout=REDIS_TIMEOUT)  # fmt: skip

    async def start(self, redis_url: str = '', channel: str = 'scc:events') -> None:
        """Bind to the running loop; with `redis_url`, listen to other processes' events."""
        if self._loop is not None or self._redis_url:
            await self.stop()  # started twice (tests): never leave a second listener behind
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._redis_url = redis_url
        self._channel = channel
        if redis_url:
            import redis
            import redis.asyncio as redis_async

            self._redis_async = redis_async.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT)
            self._redis_sync = redis.Redis.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT,
                                                    socket_timeout=REDIS_TIMEOUT)  # fmt: skip
            self._subscribed = asyncio.Event()
            self._listener = asyncio.create_task(self._listen(self._subscribed))
            try:  # normally subscribed before the first page is served; if Redis is down, retry in the background
                await asyncio.wait_for(self._subscribed.wait(), timeout=REDIS_TIMEOUT)
            except TimeoutError:
                log.error('Redis at %s does not answer; events stay in this process until it does', redis_url)

    async def _listen(self, subscribed: asyncio.Event) -> None:
        pubsub = self._redis_async.pubsub()
        try:
            while True:
                try:
                    if not self._connected:
                        await pubsub.subscribe(self._channel)
                        self._connected = True
                        subscribed.set()
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    self._connected = False
                    log.error('Redis listener failed (%s); retrying in 1 s', error)
                    await asyncio.sleep(1.0)
                    continue
                if message is None:
                    continue
                domain_event = decode(message.get('data'))
                if domain_event is None or domain_event.origin == self.origin:
                    continue  # not ours, or delivered locally already when it was published
                self.received_remote += 1
                self._dispatch(domain_event)
        finally:
            self._connected = False
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def stop(self) -> None:
        """Stop listening and close connections."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._redis_async is not None:
            await self._redis_async.aclose()
            self._redis_async = None
        if self._redis_sync is not None:
            self._redis_sync.close()
            self._redis_sync = None
        self._redis_url = ''
        self._connected = False
        self._subscribed = None
        self._loop = None
        self._loop_thread = None

    def reset(self) -> None:
        """Drop every handler (tests)."""
        self._handlers.clear()

    def status(self) -> dict[str, Any]:
        """What /healthz reports about the bus (never raises)."""
        if not self._redis_url:
            return {'transport': 'in-process', 'ok': True, 'handlers': self.handler_count()}
        ok = False
        try:
            ok = bool(self._redis_sync and self._redis_sync.ping())
        except Exception:
            ok = False
        listening = self._listener is not None
        return {'transport': 'redis', 'ok': ok and (self._connected or not listening), 'listening': listening,
                'channel': self._channel, 'handlers': self.handler_count()}  # fmt: skip


bus = EventBus()


def _boundary(transaction: SessionTransaction) -> SessionTransaction:
    # What a rollback really undoes: the nearest savepoint, or the whole transaction.
    while not transaction.nested and transaction.parent is not None:
        transaction = transaction.parent
    return transaction


def _within(owner: SessionTransaction | None, boundary: SessionTransaction) -> bool:
    while owner is not None:
        if owner is boundary:
            return True
        owner = owner.parent
    return False


@sa_event.listens_for(Session, 'after_commit')
def _publish_staged(session: Session) -> None:
    nested = session.get_nested_transaction()
    if nested is not None:  # a savepoint was released: its events now wait for the enclosing transaction
        parent = nested.parent
        pending = session.info.get(PENDING_KEY, [])
        session.info[PENDING_KEY] = [(e, parent if _within(o, nested) else o) for e, o in pending]
        return
    for domain_event, _owner in session.info.pop(PENDING_KEY, []):
        bus.publish(domain_event.type, domain_event.payload, key=domain_event.key)


@sa_event.listens_for(Session, 'after_soft_rollback')
def _drop_staged(session: Session, previous_transaction: SessionTransaction) -> None:
    boundary = _boundary(previous_transaction)
    if boundary.parent is None:
        session.info.pop(PENDING_KEY, None)
    elif PENDING_KEY in session.info:  # only what was staged inside the rolled-back savepoint
        session.info[PENDING_KEY] = [(e, o) for e, o in session.info[PENDING_KEY] if not _within(o, boundary)]
