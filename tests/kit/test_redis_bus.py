"""Events travel between processes through Redis pub/sub: two buses on the real Redis hear each other's typed events
once, decoded back into their payload types; foreign, unknown and malformed messages are dropped with a log line."""

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import redis

from models.notices import NoticePublic
from services.events import DomainEvent, EventBus, EventType, Payload
from services.foundation.events import NOTICE_POSTED, NoticePosted
from tests.support.components import REDIS_URL, redis_problem, require_or_skip
from tests.support.waits import wait_for

pytestmark = pytest.mark.redis


class StockLeft(Payload):
    left: int


STOCK_LEFT = EventType('test.stock_left', StockLeft)


def redis_or_skip() -> None:
    problem = redis_problem(REDIS_URL)
    if problem:
        require_or_skip(f'Redis not reachable at {REDIS_URL}: {problem}')


def unique_channel() -> str:
    return f'scc:test:{uuid.uuid4().hex[:12]}'


# -- two EventBus instances on the real Redis ---------------------------------------------------------------


@pytest.fixture
async def two_buses() -> AsyncIterator[tuple[EventBus, EventBus, str]]:
    redis_or_skip()
    channel = unique_channel()
    first, second = EventBus(), EventBus()
    await first.start(REDIS_URL, channel)
    await second.start(REDIS_URL, channel)
    try:
        yield first, second, channel
    finally:
        await first.stop()
        await second.stop()


async def test_an_event_published_on_one_bus_reaches_the_other_once(
    two_buses: tuple[EventBus, EventBus, str],
) -> None:
    first, second = two_buses[0], two_buses[1]
    heard: dict[str, list[DomainEvent[StockLeft]]] = {'first': [], 'second': []}
    first.subscribe(STOCK_LEFT, heard['first'].append)
    second.subscribe(STOCK_LEFT, heard['second'].append)

    first.publish(STOCK_LEFT, StockLeft(left=12), key='pharmacy-7')
    await wait_for(lambda: len(heard['second']) >= 1, timeout=5)
    await asyncio.sleep(0.3)  # time for a duplicate to show up, if there were one
    assert [(e.key, e.payload) for e in heard['second']] == [('pharmacy-7', StockLeft(left=12))]
    assert isinstance(heard['second'][0].payload, StockLeft)  # decoded back into its type
    assert len(heard['first']) == 1  # its own message is not delivered a second time through Redis
    assert heard['second'][0].origin == first.origin != second.origin

    # the other way round, and from a worker thread (the synchronous Redis connection)
    loop_thread = threading.get_ident()
    threads: list[int] = []
    first.subscribe(STOCK_LEFT, lambda e: threads.append(threading.get_ident()))
    await asyncio.to_thread(second.publish, STOCK_LEFT, StockLeft(left=0), key='pharmacy-8')
    await wait_for(lambda: len(heard['first']) >= 2, timeout=5)
    await asyncio.sleep(0.3)
    assert [(e.key, e.payload.left) for e in heard['first']] == [('pharmacy-7', 12), ('pharmacy-8', 0)]
    assert len(heard['second']) == 2
    assert threads == [loop_thread]  # remote events are handled on the event loop too
    assert first.status()['ok'] and second.status()['transport'] == 'redis'


async def test_foreign_unknown_and_malformed_messages_are_dropped_with_a_log_line(
    two_buses: tuple[EventBus, EventBus, str], caplog: pytest.LogCaptureFixture
) -> None:
    first, second, channel = two_buses
    heard: list[DomainEvent[StockLeft]] = []
    second.subscribe(STOCK_LEFT, heard.append)
    junk = ['not json', '[1, 2]', '{"name": 5}', '{"name": "test.stock_left", "payload": {"left": "many"}}',
            '{"name": "test.stock_left"}', '{"name": "no.such.event", "payload": {}}', '7']  # fmt: skip
    raw = redis.Redis.from_url(REDIS_URL)
    try:
        for message in junk:
            raw.publish(channel, message)
    finally:
        raw.close()
    first.publish(STOCK_LEFT, StockLeft(left=3), key='after-the-junk')
    await wait_for(lambda: heard, timeout=5)
    assert [(e.key, e.payload.left) for e in heard] == [('after-the-junk', 3)]
    dropped = [r for r in caplog.records if r.name == 'services.events' and 'dropped' in r.getMessage()]
    assert len(dropped) >= len(junk)  # each junk message is one log line in each listening bus
    assert second.status()['ok']


async def test_a_typed_payload_survives_the_trip_with_its_nested_models(
    two_buses: tuple[EventBus, EventBus, str],
) -> None:
    first, second = two_buses[0], two_buses[1]
    heard: list[DomainEvent[NoticePosted]] = []
    second.subscribe(NOTICE_POSTED, heard.append)
    notice = NoticePublic(id=7, title_zh='标题', title_en='Title', body_zh='正文', body_en='Text', urgent=True,
                          created_at=datetime(2020, 2, 1, 8, 0, tzinfo=UTC))  # fmt: skip
    first.publish(NOTICE_POSTED, NoticePosted(notice=notice))
    await wait_for(lambda: heard, timeout=5)
    assert heard[0].payload == NoticePosted(notice=notice)
    assert heard[0].payload.notice.created_at == notice.created_at
