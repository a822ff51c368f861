"""Accessibility, measured: axe-core (bundled from npm in tests/support/vendor/axe-core) finds no serious or
critical violation on the pages of every role, on a phone (360x740, Chinese) and on a desktop (1280x800, English)."""

from typing import Any

import pytest

from tests.support.browser import (
    LiveApp,
    accessibility_problems,
    desktop_page,
    phone_page,
    sign_in_resident,
    sign_in_staff,
)

pytestmark = pytest.mark.browser
PAGES = {
    'resident': ['/', '/code', '/code/rules', '/services', '/me', '/reserve', '/reservations/mine', '/clinic',
                 '/shows', '/notices'],
    'gate1': ['/checkpoint'],
    'pharma1': ['/pharmacy'],
    'doctor1': ['/clinic/desk'],
    'organizer1': ['/organizer/shows', '/organizer/shows/new'],
    'admin': ['/staff', '/admin/accounts', '/admin/audit', '/admin/notices', '/admin/healthcode',
              '/admin/reservations', '/clinic/admin'],
}  # fmt: skip


@pytest.mark.parametrize('who', list(PAGES))
def test_no_serious_or_critical_violation_on_any_page_of_a_role(browser: Any, live_app: LiveApp, who: str) -> None:
    problems: list[str] = []
    for size, make, phone in (('360 zh', phone_page, '13800000001'), ('1280 en', desktop_page, '13800000002')):
        page = make(browser, bypass_csp=True)
        try:
            if who == 'resident':
                sign_in_resident(page, live_app.url, phone)
            else:
                sign_in_staff(page, live_app.url, who)
            if size.endswith('en'):
                page.locator('.scc-lang').first.click()  # the language is remembered for the account
                page.get_by_text('Spring City Cloud').first.wait_for()
            for path in PAGES[who]:
                page.goto(f'{live_app.url}{path}')
                page.locator('.scc-content').wait_for()
                page.wait_for_load_state('networkidle')
                problems += [f'{size} {path}: {problem}' for problem in accessibility_problems(page)]
        finally:
            page.context.close()
    assert not problems, '\n'.join(problems)
