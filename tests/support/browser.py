"""The browser kit for tests: Debian's Chromium through Playwright (fixtures in tests/browser/conftest.py)."""

import os
import re
from pathlib import Path
from typing import Any

from services.foundation.demo import DEMO_PASSWORD
from tests.support.processes import ROOT, LiveApp

__all__ = ['LiveApp', 'desktop_page', 'phone_page', 'screenshot', 'sign_in_resident', 'sign_in_staff']
ARTIFACTS = ROOT / 'tests' / 'artifacts'
CHROMIUM = os.environ.get('SCC_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--no-first-run']  # fmt: skip
TIMEOUT_MS = 10_000


def phone_page(browser: Any, **options: Any) -> Any:
    """A new page in a fresh context that looks like a phone: 360x740, touch, 2x pixels, Chinese locale."""
    context = browser.new_context(viewport={'width': 360, 'height': 740}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale='zh-CN', **options)  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def desktop_page(browser: Any, **options: Any) -> Any:
    """A new page in a fresh desktop context (1280x800)."""
    context = browser.new_context(viewport={'width': 1280, 'height': 800}, locale='zh-CN', **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


AXE = Path(__file__).parent / 'vendor' / 'axe-core' / 'axe.min.js'
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => ['serious', 'critical'].includes(v.impact))
  .map(v => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)"""


def accessibility_problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (the page's context must bypass the
    CSP, which forbids the inline script axe is injected as: `phone_page(browser, bypass_csp=True)`)."""
    page.add_script_tag(content=AXE.read_text(encoding='utf-8'))
    return list(page.evaluate(AXE_RUN))


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
