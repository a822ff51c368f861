"""The foundation in a real browser: phone sign-in, live announcements, refusals, the language switch."""

import re
from typing import Any

import pytest

from tests.browser_support import LiveApp, phone_page, screenshot, sign_in_resident

pytestmark = pytest.mark.browser


def test_resident_signs_in_on_a_phone_and_sees_home(browser: Any, live_app: LiveApp) -> None:
    page = phone_page(browser)
    try:
        sign_in_resident(page, live_app.url)
        assert re.search(r'/$', page.url)
        page.get_by_text('城市公告').wait_for()  # "City announcements" in the default language
        page.get_by_text('欢迎使用泉城云').wait_for()  # the demo city's first announcement
        screenshot(page, 'resident-home')
        # Nothing is wider than the phone: no sideways scrolling on a 360 px screen.
        assert page.evaluate('document.documentElement.scrollWidth') <= 360
    finally:
        page.context.close()
