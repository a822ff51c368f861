"""/healthz tells an operator (or a load balancer) the version and whether the database and the event bus work:
200 when all is well, 503 when a part is down — and it always answers."""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from nicegui.testing import User

from services import db, health
from services.events import EventType, Payload, bus
from services.settings import settings
from tests.support.components import REDIS_URL, redis_problem, require_or_skip
from tests.support.processes import free_port


class Local(Payload):
    pass


LOCAL = EventType('test.local', Local)


def unreachable_postgres() -> str:
    return f'postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test'  # nothing listens there


async def started_health(user: User) -> httpx.Response:
    """/healthz once start-up has ended (before that it answers 503 with starting: true)."""
    for _ in range(100):
        response = await user.http_client.get('/healthz')
        if not response.json().get('starting'):
            return response
        await asyncio.sleep(0.05)
    raise AssertionError('the app did not finish starting within 5 s')


async def test_healthz_reports_version_database_and_events(user: User) -> None:
    await started_health(user)
    handlers_before = bus.handler_count()  # process-wide listeners may still be subscribing right after start-up
    response = await user.http_client.get('/healthz')
    handlers_after = bus.handler_count()
    assert response.status_code == 200
    assert response.headers['cache-control'] == 'no-store'
    body = response.json()
    assert body['ok'] is True
    assert body['version'] == health.app_version() != 'unknown'
    assert body['database']['dialect'] == db.dialect() and db.dialect() in {'sqlite', 'postgresql'}
    assert body['database']['ok'] is True
    assert body['database']['latency_ms'] >= 0
    assert body['events']['transport'] == 'in-process' and body['events']['ok'] is True
    assert handlers_before <= body['events']['handlers'] <= handlers_after


async def test_healthz_is_503_when_the_database_is_unreachable(
    user: User, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert (await started_health(user)).status_code == 200
    await asyncio.sleep(0.3)  # let the modules' start-up work finish on the working database
    db.configure(unreachable_postgres())  # the database server goes away
    try:
        response = await user.http_client.get('/healthz')
    finally:
        db.configure(database_url)
    assert response.status_code == 503
    body = response.json()
    assert body['ok'] is False
    assert body['database'] == {'dialect': 'postgresql', 'ok': False, 'latency_ms': body['database']['latency_ms']}
    assert body['events']['ok'] is True  # the other parts are still reported
    assert 'password' not in response.text and 'postgres@' not in response.text
    assert (await user.http_client.get('/healthz')).status_code == 200  # and it recovers with the database
    # Background work of other modules may have logged its failure meanwhile: expected while the database is
    # down (the `user` fixture fails a test on ERROR logs, and then leaves NiceGUI started for the next tests).
    caplog.clear()


def test_report_never_raises_even_with_a_broken_database_setting(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    # DATABASE_URL names a driver that does not exist: the engine cannot even be created.
    monkeypatch.setitem(settings.__dict__, 'effective_database_url', 'nosuchdb://somewhere/city')
    monkeypatch.setattr(db, '_engine', None)
    try:
        report = health.report()
    finally:
        db.configure(database_url)
    assert report['ok'] is False
    assert report['database']['ok'] is False and report['database']['error']
    assert report['version'] == health.app_version()


@pytest.fixture
async def redis_bus_down() -> AsyncIterator[None]:
    """The bus configured for a Redis that does not answer (started as the app starts it)."""
    await bus.start(f'redis://127.0.0.1:{free_port()}/0', f'scc:test:{uuid.uuid4().hex[:12]}')
    yield
    await bus.stop()


async def test_report_says_events_are_down_when_redis_is_unreachable(
    redis_bus_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.CRITICAL):
        report = health.report()
    assert report['ok'] is False
    assert report['events']['transport'] == 'redis' and report['events']['ok'] is False
    assert report['database']['ok'] is True
    # local delivery keeps working meanwhile
    heard: list[str] = []
    bus.subscribe(LOCAL, lambda e: heard.append(e.name))
    bus.publish(LOCAL, Local())
    assert heard == ['test.local']


@pytest.fixture
async def redis_bus() -> AsyncIterator[None]:
    problem = redis_problem(REDIS_URL)
    if problem:
        require_or_skip(f'Redis not reachable at {REDIS_URL}: {problem}')
    await bus.start(REDIS_URL, f'scc:test:{uuid.uuid4().hex[:12]}')
    yield
    await bus.stop()


@pytest.mark.redis
async def test_report_says_events_travel_through_redis(redis_bus: None) -> None:
    report = health.report()
    assert report['ok'] is True
    assert report['events']['transport'] == 'redis' and report['events']['ok'] is True
    assert report['events']['listening'] is True
