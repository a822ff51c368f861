"""The Content-Security-Policy in a real browser (docs/security/transport.md): Home, the health code, a live show's
watch page and the organizer console work under it — the pages render, their socket is connected, a click goes
round — and the browser reports not one CSP violation (console messages and `securitypolicyviolation` events)."""

from typing import Any

import pytest

from tests.support.browser import LiveApp, desktop_page, phone_page, sign_in_resident, sign_in_staff
from tests.support.shows import live_show_id

pytestmark = pytest.mark.browser
# Runs before any of the page's own scripts (Playwright adds it outside the page's CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watched:
    """A page whose CSP complaints are collected from the console and from violation events."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on('console', self._console)

    def _console(self, message: Any) -> None:
        text = message.text
        if 'Content Security Policy' in text or 'Content-Security-Policy' in text or 'unsafe-eval' in text:
            self.console.append(text)

    def visit(self, url: str, ready: str) -> None:
        """Open `url`, wait for `ready` and the page's live connection, then check that nothing was blocked."""
        self.page.goto(url)
        self.page.locator(ready).first.wait_for()
        self.page.wait_for_function('window.socket && window.socket.connected && window.did_handshake')
        self.assert_clean(url)

    def assert_clean(self, where: str) -> None:
        violations = self.page.evaluate('window.__cspViolations || []')
        found = violations + self.console
        assert not found, f'{where}: {len(found)} CSP violations, the first: {found[:5]}'


def test_the_pages_work_under_the_csp_with_no_violation(browser: Any, live_app: LiveApp) -> None:
    resident, organizer = Watched(phone_page(browser)), Watched(desktop_page(browser))
    show_id = live_show_id()
    try:
        response = resident.page.goto(f'{live_app.url}/login')
        policy = response.headers['content-security-policy']
        assert "'nonce-" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        sign_in_resident(resident.page, live_app.url)
        resident.visit(f'{live_app.url}/', '.scc-content')
        resident.visit(f'{live_app.url}/code', '.scc-code-green')
        resident.page.wait_for_function("/\\d\\d:\\d\\d:\\d\\d/.test(document.querySelector('.scc-clock').innerText)")
        resident.visit(f'{live_app.url}/shows/{show_id}', '.scc-show-state')
        resident.page.locator('.scc-player video').wait_for(state='attached')  # live: the HLS player is there
        resident.page.locator('.scc-comment-input input').fill('CSP ok')
        resident.page.locator('.scc-comment-send').click()  # a click that goes round the socket and back
        resident.page.locator('.scc-comment', has_text='CSP ok').wait_for()
        resident.assert_clean('after a comment')
        resident.page.locator('.scc-lang').first.click()  # the language switch: an event, then a reload
        resident.page.wait_for_function("document.documentElement.lang.startsWith('en')")
        resident.page.wait_for_function('window.socket && window.socket.connected && window.did_handshake')
        resident.assert_clean('after switching the language')

        sign_in_staff(organizer.page, live_app.url, 'organizer1')
        organizer.visit(f'{live_app.url}/organizer/shows/{show_id}', '.scc-content')
        organizer.page.locator('.scc-mod-comment', has_text='CSP ok').wait_for()  # the console's live list
        organizer.assert_clean('the organizer console')
    finally:
        resident.page.context.close()
        organizer.page.context.close()
