"""Events travel between app processes through Redis pub/sub: two real app processes on their own ports, one
database, one Redis channel; an announcement posted in one appears on a Home open in the other, once."""

import re
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import desktop_page, phone_page, sign_in_resident, sign_in_staff
from tests.support.components import REDIS_URL, redis_problem, require_or_skip
from tests.support.processes import LiveApp, free_port, start_app, stop_process, wait_until_healthy

pytestmark = [pytest.mark.redis, pytest.mark.browser]
ARRIVAL_TIMEOUT_MS = 5000  # a wait, not a speed limit: the speed of the fan-out is measured by bench/fanout.py


def app_process(database_url: str, tmp_path: Path, channel: str, name: str) -> LiveApp:
    data_dir = tmp_path / f'data-{name}'
    data_dir.mkdir(exist_ok=True)
    return start_app(port=free_port(), channel=channel, log_path=tmp_path / f'app-{name}.log',
                     DATABASE_URL=database_url, REDIS_URL=REDIS_URL, GC_FREEZE='false', DATA_DIR=str(data_dir),
                     SEED_DEMO='true', DEMO_MODE='true')  # fmt: skip


@pytest.fixture
def two_apps(database_url: str, tmp_path: Path) -> Iterator[tuple[LiveApp, LiveApp]]:
    """Processes A and B: one database, one Redis channel, two ports."""
    problem = redis_problem(REDIS_URL)
    if problem:
        require_or_skip(f'Redis not reachable at {REDIS_URL}: {problem}')
    channel = f'scc:test:{uuid.uuid4().hex[:12]}'
    apps = [app_process(database_url, tmp_path, channel, 'a'), app_process(database_url, tmp_path, channel, 'b')]
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
        resident_b.locator('.scc-notice-title', has_text=title).wait_for(timeout=ARRIVAL_TIMEOUT_MS)
        assert resident_b.evaluate('window.sccNoReload') is True
        resident_a.locator('.scc-notice-title', has_text=title).wait_for(timeout=ARRIVAL_TIMEOUT_MS)
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


def test_signing_out_through_process_a_ends_the_page_open_in_process_b(
    browser: Any, two_apps: tuple[LiveApp, LiveApp]
) -> None:
    app_a, app_b = two_apps
    page_b = phone_page(browser)
    try:
        sign_in_resident(page_b, app_b.url, phone='13800000002')
        page_b.goto(f'{app_b.url}/code')
        page_b.locator('.scc-clock').wait_for()
        tab_a = page_b.context.new_page()  # cookies are per host, not per port: the same session on both processes
        tab_a.goto(f'{app_a.url}/logout')
        tab_a.locator('.scc-phone').wait_for()
        page_b.wait_for_url(re.compile(r'.*/login'), timeout=ARRIVAL_TIMEOUT_MS)  # process B heard it through Redis
    except Exception:
        for app in two_apps:
            sys.stderr.write(f'\n--- log of {app.url} ---\n{app.log()[-5000:]}\n')
        raise
    finally:
        page_b.context.close()
