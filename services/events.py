"""Domain events: published after a transaction commits, carried in-process or between processes by Redis."""

import asyncio
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
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
PENDING_KEY = 'scc_pending_events'


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened in the city: `name` like 'notice.posted', `key` narrows who cares."""

    name: str
    key: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    origin: str = ''
    at: float = 0.0


Handler = Callable[[DomainEvent], Any]


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

    def handler_count(self, name: str | None = None) -> int:
        """How many handlers listen (to one event name, or in all)."""
        if name is not None:
            return len(self._handlers.get(name, []))
        return sum(len(h) for h in self._handlers.values())

    # -- publishing --------------------------------------------------------------------------
    def stage(self, session: Session, name: str, key: str | None = None, **data: Any) -> None:
        """Publish `name` once `session` commits; forget it if the session rolls back."""
        session.info.setdefault(PENDING_KEY, []).append(DomainEvent(name=name, key=key, data=data))

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
        else:
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
            self._loop.create_task(self._redis_async.publish(self._channel, payload))
        elif self._redis_sync is not None:
            try:
                self._redis_sync.publish(self._channel, payload)
            except Exception:
                log.exception('could not publish %s to Redis', domain_event.name)

    # -- lifecycle ---------------------------------------------------------------------------
    def connect_publisher(self, redis_url: str, channel: str = 'scc:events') -> None:
        """Publish to Redis without listening: for scripts and tests that change state from outside the app."""
        import redis

        self._redis_url = redis_url
        self._channel = channel
        self._redis_sync = redis.Redis.from_url(redis_url)

    async def start(self, redis_url: str = '', channel: str = 'scc:events') -> None:
        """Bind to the running loop; with `redis_url`, listen to other processes' events."""
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._redis_url = redis_url
        self._channel = channel
        if redis_url:
            import redis
            import redis.asyncio as redis_async

            self._redis_async = redis_async.from_url(redis_url)
            self._redis_sync = redis.Redis.from_url(redis_url)
            pubsub = self._redis_async.pubsub()
            await pubsub.subscribe(self._channel)
            self._connected = True
            self._listener = asyncio.create_task(self._listen(pubsub))

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._connected = False
                log.exception('Redis listener failed; retrying in 1 s')
                await asyncio.sleep(1.0)
                try:
                    await pubsub.subscribe(self._channel)
                    self._connected = True
                except Exception:
                    pass
                continue
            if message is None:
                continue
            try:
                raw = json.loads(message['data'])
            except (ValueError, TypeError):
                continue
            if raw.get('origin') == self.origin:
                continue  # delivered locally already, when it was published
            self.received_remote += 1
            self._dispatch(DomainEvent(**raw))

    async def stop(self) -> None:
        """Stop listening and close connections."""
        if self._listener is not None:
            self._listener.cancel()
            self._listener = None
        if self._redis_async is not None:
            await self._redis_async.aclose()
            self._redis_async = None
        if self._redis_sync is not None:
            self._redis_sync.close()
            self._redis_sync = None
        self._redis_url = ''
        self._connected = False
        self._loop = None

    def reset(self) -> None:
        """Drop every handler (tests)."""
        self._handlers.clear()

    def status(self) -> dict[str, Any]:
        """What /healthz reports about the bus."""
        if not self._redis_url:
            return {'transport': 'in-process', 'ok': True, 'handlers': self.handler_count()}
        ok = False
        try:
            ok = bool(self._redis_sync and self._redis_sync.ping())
        except Exception:
            ok = False
        return {'transport': 'redis', 'ok': ok and self._connected, 'handlers': self.handler_count()}


bus = EventBus()


@sa_event.listens_for(Session, 'after_commit')
def _publish_staged(session: Session) -> None:
    for domain_event in session.info.pop(PENDING_KEY, []):
        bus.publish(domain_event.name, domain_event.key, **domain_event.data)


@sa_event.listens_for(Session, 'after_rollback')
def _drop_staged(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
