"""Browser tests: Debian's Chromium through Playwright, and the real app running in a subprocess.

Fixtures:
- `browser` (module): headless Chromium from /usr/bin/chromium.
- `live_app` (function): `main.py` on a free port, on the test's own database and a Redis channel of its own;
  the test process publishes to that channel too, so a test may change state through services directly
  (`with db.session_scope() as s: notices.post_notice(s, ...)`) and the app's open pages update.
Helpers (pages, sign-in, screenshots) are in tests/support/browser.py.
"""

import asyncio
import shutil
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.events import bus
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.components import REDIS_URL, redis_problem, require_or_skip
from tests.support.processes import LiveApp, free_port, start_app, stop_process, wait_until_healthy


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
    problem = redis_problem(REDIS_URL)
    if problem:
        require_or_skip(f'Redis not reachable at {REDIS_URL}: {problem}')
    port = free_port()
    channel = f'scc:test:{uuid.uuid4().hex[:12]}'
    data_dir = tmp_path / 'app-data'
    data_dir.mkdir(exist_ok=True)
    log_path = tmp_path / 'app.log'
    app = start_app(port=port, channel=channel, log_path=log_path, DATABASE_URL=database_url, REDIS_URL=REDIS_URL,
                    SEED_DEMO='true', DEMO_MODE='true', GC_FREEZE='false', DATA_DIR=str(data_dir))  # fmt: skip
    bus.connect_publisher(REDIS_URL, channel)
    try:
        try:
            wait_until_healthy(app.url, app.process)
        except RuntimeError as error:
            pytest.fail(f'{error}\n--- app log ---\n{app.log()}', pytrace=False)
        yield app
    finally:
        _disconnect_publisher()
        stop_process(app.process)
        report = getattr(request.node, 'scc_report_call', None)
        if report is not None and report.failed:
            sys.stderr.write(f'\n--- app log ({request.node.name}) ---\n{app.log()[-20000:]}\n')
