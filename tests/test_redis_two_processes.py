"""Events travel between app processes through Redis pub/sub: two real app processes on their own ports, one
database, one Redis channel; an announcement posted in one appears on a Home open in the other within a second."""

import asyncio
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from services.events import DomainEvent, EventBus
from tests.browser_support import (
    ROOT,
    LiveApp,
    child_environment,
    desktop_page,
    free_port,
    phone_page,
    sign_in_resident,
    sign_in_staff,
    stop_process,
    wait_until_healthy,
)
from tests.conftest import REDIS_URL, require_or_skip

pytestmark = pytest.mark.redis


def redis_or_skip() -> None:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as error:
        require_or_skip(f'Redis not reachable at {REDIS_URL}: {error}')


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


async def until(condition: Any, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return
        await asyncio.sleep(0.01)


async def test_an_event_published_on_one_bus_reaches_the_other_once(
    two_buses: tuple[EventBus, EventBus, str],
) -> None:
    first, second = two_buses[0], two_buses[1]
    heard: dict[str, list[DomainEvent]] = {'first': [], 'second': []}
    first.subscribe('stock.changed', heard['first'].append)
    second.subscribe('stock.changed', heard['second'].append)

    first.publish('stock.changed', 'pharmacy-7', left=12)
    await until(lambda: len(heard['second']) >= 1)
    await asyncio.sleep(0.3)  # time for a duplicate to show up, if there were one
    assert [(e.key, e.data) for e in heard['second']] == [('pharmacy-7', {'left': 12})]
    assert len(heard['first']) == 1  # its own message is not delivered a second time through Redis
    assert heard['second'][0].origin == first.origin != second.origin

    # the other way round, and from a worker thread (the synchronous Redis connection)
    loop_thread = threading.get_ident()
    threads: list[int] = []
    first.subscribe('stock.changed', lambda e: threads.append(threading.get_ident()))
    await asyncio.to_thread(second.publish, 'stock.changed', 'pharmacy-8', left=0)
    await until(lambda: len(heard['first']) >= 2)
    await asyncio.sleep(0.3)
    assert [(e.key, e.data) for e in heard['first']] == [('pharmacy-7', {'left': 12}), ('pharmacy-8', {'left': 0})]
    assert len(heard['second']) == 2
    assert threads == [loop_thread]  # remote events are handled on the event loop too
    assert first.status()['ok'] and second.status()['transport'] == 'redis'


async def test_foreign_messages_on_the_channel_do_not_stop_the_listener(
    two_buses: tuple[EventBus, EventBus, str],
) -> None:
    first, second, channel = two_buses
    heard: list[DomainEvent] = []
    second.subscribe('notice.posted', heard.append)
    raw = redis.Redis.from_url(REDIS_URL)
    try:
        for junk in ('not json', '[1, 2]', '{"name": 5}', '{"name": "notice.posted", "unexpected": true}', '7'):
            raw.publish(channel, junk)
    finally:
        raw.close()
    first.publish('notice.posted', None, notice={'title_en': 'after the junk'})
    await until(lambda: any(e.data.get('notice') for e in heard))
    assert [e.data['notice']['title_en'] for e in heard if e.data.get('notice')] == ['after the junk']
    assert second.status()['ok']


# -- two real app processes -------------------------------------------------------------------------------


def start_app(database_url: str, tmp_path: Path, channel: str, name: str) -> LiveApp:
    port = free_port()
    data_dir = tmp_path / f'data-{name}'
    data_dir.mkdir(exist_ok=True)
    log_path = tmp_path / f'app-{name}.log'
    env = child_environment(
        DATABASE_URL=database_url, REDIS_URL=REDIS_URL, EVENT_CHANNEL=channel, PORT=str(port), HOST='127.0.0.1',
        GC_FREEZE='false', DATA_DIR=str(data_dir), SEED_DEMO='true', DEMO_MODE='true', PYTHONUNBUFFERED='1',
    )  # fmt: skip
    with log_path.open('wb') as log_file:
        process = subprocess.Popen([sys.executable, str(ROOT / 'main.py')], cwd=ROOT, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    return LiveApp(url=f'http://127.0.0.1:{port}', port=port, channel=channel, log_path=log_path, process=process)


@pytest.fixture
def two_apps(database_url: str, tmp_path: Path) -> Iterator[tuple[LiveApp, LiveApp]]:
    """Processes A and B: one database, one Redis channel, two ports."""
    redis_or_skip()
    channel = unique_channel()
    apps = [start_app(database_url, tmp_path, channel, 'a'), start_app(database_url, tmp_path, channel, 'b')]
    try:
        for app in apps:
            try:
                wait_until_healthy(app.url, app.process)
            except RuntimeError as error:
                pytest.fail(f'{error}\n--- log of {app.url} ---\n{app.log()[-5000:]}', pytrace=False)
        yield apps[0], apps[1]
    finally:
        for app in apps:
            stop_process(app.process)


@pytest.mark.browser
def test_a_notice_posted_in_process_a_appears_on_a_home_open_in_process_b(
    browser: Any, two_apps: tuple[LiveApp, LiveApp]
) -> None:
    app_a, app_b = two_apps
    for app in two_apps:
        health = httpx.get(f'{app.url}/healthz', timeout=5).json()
        assert health['events']['transport'] == 'redis' and health['events']['ok'], health
    resident_b = phone_page(browser)
    resident_a = phone_page(browser)
    admin_a = desktop_page(browser)
    title = f'跨进程通知 {uuid.uuid4().hex[:6]}'
    try:
        sign_in_resident(resident_b, app_b.url, phone='13800000002')
        sign_in_resident(resident_a, app_a.url, phone='13800000003')
        resident_b.evaluate('window.sccNoReload = true')  # gone if the page were reloaded
        sign_in_staff(admin_a, app_a.url, 'admin')
        admin_a.goto(f'{app_a.url}/admin/notices')
        admin_a.locator('.scc-title-zh input').fill(title)
        admin_a.locator('.scc-title-en input').fill('Across processes')
        admin_a.locator('.scc-body-zh textarea').fill('此通知由另一个进程发布。')
        admin_a.locator('.scc-body-en textarea').fill('Posted through the other process.')
        admin_a.locator('.scc-post').click()
        posted = time.monotonic()
        resident_b.locator('.scc-notice-title', has_text=title).wait_for(timeout=5000)
        delay = time.monotonic() - posted
        assert delay < 1.0, f'the announcement took {delay:.2f} s to reach process B'
        assert resident_b.evaluate('window.sccNoReload') is True
        resident_a.locator('.scc-notice-title', has_text=title).wait_for(timeout=5000)
        time.sleep(0.5)  # a duplicate (A hearing its own event back from Redis) would show up by now
        assert resident_a.locator('.scc-notice-title', has_text=title).count() == 1
        assert resident_b.locator('.scc-notice-title', has_text=title).count() == 1
    except Exception:
        for app in two_apps:
            sys.stderr.write(f'\n--- log of {app.url} ---\n{app.log()[-5000:]}\n')
        raise
    finally:
        for page in (resident_a, resident_b, admin_a):
            page.context.close()
