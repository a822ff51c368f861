"""Browser tests: Debian's Chromium through Playwright, and the real app running in a subprocess.

A pytest plugin (listed in `tests/conftest.py`). Fixtures:
- `browser` (session): headless Chromium from /usr/bin/chromium.
- `live_app` (function): `main.py` on a free port, on the test's own database and a Redis channel of its own;
  the test process publishes to that channel too, so a test may change state through services directly
  (`with db.session_scope() as s: notices.post_notice(s, ...)`) and the app's open pages update.
Helpers: `phone_page`, `desktop_page`, `sign_in_resident`, `sign_in_staff`, `screenshot`.
"""

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.events import bus
from services.foundation.demo import DEMO_PASSWORD
from tests.conftest import REDIS_URL, require_or_skip

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / 'tests' / 'artifacts'
CHROMIUM = os.environ.get('SCC_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--no-first-run']  # fmt: skip
START_TIMEOUT_S = 40.0
TIMEOUT_MS = 10_000


@dataclass
class LiveApp:
    """The app running in a subprocess for one test."""

    url: str
    port: int
    channel: str
    log_path: Path
    process: subprocess.Popen

    def log(self) -> str:
        """What the app wrote to stdout and stderr so far."""
        return self.log_path.read_text(errors='replace') if self.log_path.exists() else ''


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment without PYTEST* variables (NiceGUI would think it runs under pytest)."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith('PYTEST')}
    env.update(overrides)
    return env


def stop_process(process: subprocess.Popen, timeout: float = 5.0) -> None:
    """Terminate `process` (by its pid), then kill it if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float = START_TIMEOUT_S) -> None:
    """Wait until GET url/healthz answers 200; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    last = ''
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'app exited with code {process.returncode}')
        try:
            response = httpx.get(f'{url}/healthz', timeout=2.0)
            if response.status_code == 200:
                return
            last = f'{response.status_code} {response.text[:200]}'
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.2)
    raise RuntimeError(f'app not healthy after {timeout:.0f} s: {last}')


def _redis_reachable(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.close()
        return ''
    except Exception as error:
        return str(error)


def _disconnect_publisher() -> None:
    # bus.stop() is a coroutine; in the test process it only closes the synchronous publisher connection.
    # Run it on a thread of its own so that no event loop of the test (or of Playwright) is disturbed.
    worker = threading.Thread(target=asyncio.run, args=(bus.stop(),))
    worker.start()
    worker.join(timeout=10)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Remember each phase's outcome on the test item, so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f'scc_report_{report.when}', report)


@pytest.fixture(scope='module')
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), shared by the tests of one module.

    Not session-wide: sync Playwright keeps an event loop running in this thread until it stops, and the
    async tests of later modules (NiceGUI's user fixture) would then fail with "event loop already running".
    """
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        require_or_skip(f'Chromium not found at {CHROMIUM}')
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip('the playwright package is not installed')
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        require_or_skip(f'Chromium does not start: {error}')
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def live_app(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveApp]:
    """The real app (`main.py`) on a free port, sharing this test's database and a Redis channel of its own."""
    problem = _redis_reachable(REDIS_URL)
    if problem:
        require_or_skip(f'Redis not reachable at {REDIS_URL}: {problem}')
    port = free_port()
    channel = f'scc:test:{uuid.uuid4().hex[:12]}'
    data_dir = tmp_path / 'app-data'
    data_dir.mkdir(exist_ok=True)
    log_path = tmp_path / 'app.log'
    env = child_environment(
        DATABASE_URL=database_url, REDIS_URL=REDIS_URL, EVENT_CHANNEL=channel, PORT=str(port), HOST='127.0.0.1',
        SEED_DEMO='true', DEMO_MODE='true', GC_FREEZE='false', DATA_DIR=str(data_dir), PYTHONUNBUFFERED='1',
    )  # fmt: skip
    with log_path.open('wb') as log_file:
        process = subprocess.Popen([sys.executable, str(ROOT / 'main.py')], cwd=ROOT, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    app = LiveApp(url=f'http://127.0.0.1:{port}', port=port, channel=channel, log_path=log_path, process=process)
    bus.connect_publisher(REDIS_URL, channel)
    try:
        try:
            wait_until_healthy(app.url, process)
        except RuntimeError as error:
            pytest.fail(f'{error}\n--- app log ---\n{app.log()}', pytrace=False)
        yield app
    finally:
        _disconnect_publisher()
        stop_process(process)
        report = getattr(request.node, 'scc_report_call', None)
        if report is not None and report.failed:
            sys.stderr.write(f'\n--- app log ({request.node.name}) ---\n{app.log()[-20000:]}\n')


# -- helpers for tests ----------------------------------------------------------------------------


def phone_page(browser: Any) -> Any:
    """A new page in a fresh context that looks like a phone: 360x740, touch, 2x pixels, Chinese locale."""
    context = browser.new_context(viewport={'width': 360, 'height': 740}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale='zh-CN')  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def desktop_page(browser: Any) -> Any:
    """A new page in a fresh desktop context (1280x800)."""
    context = browser.new_context(viewport={'width': 1280, 'height': 800}, locale='zh-CN')
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_in_resident(page: Any, base_url: str, phone: str = '13800000001') -> None:
    """Sign in as a resident with the demo code shown on screen; returns once Home is shown."""
    page.goto(f'{base_url}/login')
    page.locator('.scc-phone input').fill(phone)
    page.locator('.scc-ask').click()
    demo = page.locator('.scc-demo-code')
    demo.wait_for(state='visible')
    page.wait_for_function("document.querySelector('.scc-demo-code').innerText.match(/\\d{6}/)")
    match = re.search(r'\d{6}', demo.inner_text())
    assert match, f'no demo code shown: {demo.inner_text()!r}'
    page.locator('.scc-code input').fill(match.group(0))
    page.locator('.scc-submit').click()
    page.wait_for_url(re.compile(r'.*/$'))
    page.locator('.scc-content').wait_for(state='visible')
    page.locator('.scc-tab.active').wait_for(state='visible')


def sign_in_staff(page: Any, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in as staff with username and password; returns once the staff home is shown."""
    page.goto(f'{base_url}/staff/login')
    page.locator('.scc-username input').fill(username)
    page.locator('.scc-password input').fill(password)
    page.locator('.scc-submit').click()
    page.wait_for_url(re.compile(r'.*/staff$'))
    page.locator('.scc-content').wait_for(state='visible')


def screenshot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot to tests/artifacts/<name>.png (git-ignored) and return its path.

    By default what the screen shows (fixed headers and footers where they belong); `full_page` for the whole page.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f'{name}.png'
    page.screenshot(path=str(path), full_page=full_page)
    return path
