"""Domain events: published after a transaction commits, carried in-process or between processes by Redis."""

import asyncio
import contextlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)
PENDING_KEY = 'scc_pending_events'
REDIS_TIMEOUT = 2.0  # seconds: a Redis that does not answer must not hold a request or /healthz for long


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened in the city: `name` like 'notice.posted', `key` narrows who cares."""

    name: str
    key: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    origin: str = ''
    at: float = 0.0


Handler = Callable[[DomainEvent], Any]


def decode(payload: Any) -> DomainEvent | None:
    """A DomainEvent from a Redis message, or None when the message is not one of ours."""
    try:
        raw = json.loads(payload)
        if not isinstance(raw, dict) or not isinstance(raw.get('name'), str):
            return None
        data = raw.get('data')
        key = raw.get('key')
        return DomainEvent(name=raw['name'], key=None if key is None else str(key),
                           data=data if isinstance(data, dict) else {}, origin=str(raw.get('origin') or ''),
                           at=float(raw.get('at') or 0.0))  # fmt: skip
    except (ValueError, TypeError):
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
        self._listener: asyncio.Task | None = None
        self._subscribed: asyncio.Event | None = None
        self._tasks: set[asyncio.Task] = set()
        self._connected = False
        self.published = 0
        self.received_remote = 0

    # -- subscribing -------------------------------------------------------------------------
    def subscribe(self, name: str, handler: Handler) -> Callable[[], None]:
        """Call `handler` for every event called `name`; returns a function that unsubscribes."""
        self._handlers.setdefault(name, []).append(handler)

        def unsubscribe() -> None:
            handlers = self._handlers.get(name, [])
            if handler in handlers:
                handlers.remove(handler)

        return unsubscribe

    def is_subscribed(self, name: str, handler: Handler) -> bool:
        """Whether `handler` listens to `name`."""
        return handler in self._handlers.get(name, [])

    def handler_count(self, name: str | None = None) -> int:
        """How many handlers listen (to one event name, or in all)."""
        if name is not None:
            return len(self._handlers.get(name, []))
        return sum(len(h) for h in self._handlers.values())

    # -- publishing --------------------------------------------------------------------------
    def stage(self, session: Session, name: str, key: str | None = None, **data: Any) -> None:
        """Publish `name` once `session` commits; forget it if the session (or its savepoint) rolls back."""
        owner = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(PENDING_KEY, []).append((DomainEvent(name=name, key=key, data=data), owner))

    def publish(self, name: str, key: str | None = None, **data: Any) -> DomainEvent:
        """Publish now (use `stage` inside a transaction)."""
        domain_event = DomainEvent(name=name, key=key, data=data, origin=self.origin, at=time.time())
        self.published += 1
        self._deliver_local(domain_event)
        if self._redis_url:
            self._publish_remote(domain_event)
        return domain_event

    def _deliver_local(self, domain_event: DomainEvent) -> None:
        loop = self._loop
        if loop is None or loop.is_closed() or threading.get_ident() == self._loop_thread:
            self._dispatch(domain_event)
        else:  # pages may only be changed on the event loop
            loop.call_soon_threadsafe(self._dispatch, domain_event)

    def _dispatch(self, domain_event: DomainEvent) -> None:
        for handler in list(self._handlers.get(domain_event.name, [])):
            try:
                handler(domain_event)
            except Exception:
                log.exception('event handler failed for %s', domain_event.name)

    def _publish_remote(self, domain_event: DomainEvent) -> None:
        payload = json.dumps(asdict(domain_event), default=str)
        if self._loop is not None and threading.get_ident() == self._loop_thread and self._redis_async is not None:
            task = self._loop.create_task(self._redis_async.publish(self._channel, payload))
            self._tasks.add(task)
            task.add_done_callback(self._publish_done)
        elif self._redis_sync is not None:
            try:
                self._redis_sync.publish(self._channel, payload)
            except Exception:
                log.exception('could not publish %s to Redis', domain_event.name)

    def _publish_done(self, task: asyncio.Task) -> None:
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
        bus.publish(domain_event.name, domain_event.key, **domain_event.data)


@sa_event.listens_for(Session, 'after_soft_rollback')
def _drop_staged(session: Session, previous_transaction: SessionTransaction) -> None:
    boundary = _boundary(previous_transaction)
    if boundary.parent is None:
        session.info.pop(PENDING_KEY, None)
    elif PENDING_KEY in session.info:  # only what was staged inside the rolled-back savepoint
        session.info[PENDING_KEY] = [(e, o) for e, o in session.info[PENDING_KEY] if not _within(o, boundary)]
