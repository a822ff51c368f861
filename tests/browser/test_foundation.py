"""The foundation in a real browser: phone sign-in, live announcements, refusals, the language switch."""

import re
from typing import Any

import pytest
from sqlmodel import select

from models.accounts import Account
from models.notices import NoticeCreate
from services import db
from services.access import load_actor
from services.foundation import notices
from tests.support.browser import LiveApp, desktop_page, phone_page, screenshot, sign_in_resident, sign_in_staff

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


def test_announcement_posted_by_admin_reaches_open_home_without_reload(browser: Any, live_app: LiveApp) -> None:
    resident = phone_page(browser)
    admin = desktop_page(browser)
    try:
        sign_in_resident(resident, live_app.url)
        resident.evaluate('window.sccNoReload = true')  # gone if the page were reloaded
        sign_in_staff(admin, live_app.url, 'admin')
        admin.goto(f'{live_app.url}/admin/notices')
        admin.locator('.scc-title-zh input').fill('今晚停水通知')
        admin.locator('.scc-title-en input').fill('Water off tonight')
        admin.locator('.scc-body-zh textarea').fill('历下区今晚22点至次日6点停水。')
        admin.locator('.scc-body-en textarea').fill('Lixia district: no water from 22:00 to 06:00.')
        admin.locator('.scc-post').click()
        # A wait, not a speed limit: how fast it arrives is measured by bench/fanout.py (notice scenario).
        resident.locator('.scc-notice-title', has_text='今晚停水通知').wait_for(timeout=5000)
        assert resident.evaluate('window.sccNoReload') is True
        assert resident.locator('.scc-notice-title').first.inner_text() == '今晚停水通知'  # newest first
    finally:
        resident.context.close()
        admin.context.close()


def test_change_made_through_services_reaches_the_app(browser: Any, live_app: LiveApp) -> None:
    page = phone_page(browser)
    try:
        sign_in_resident(page, live_app.url)
        with db.session_scope() as session:
            admin_id = session.exec(select(Account.id).where(Account.username == 'admin')).one()
            actor = load_actor(session, admin_id)
            assert actor is not None
            draft = NoticeCreate(title_zh='接种点开放', title_en='Vaccination site open', body_zh='市中心医院',
                                 body_en='Central hospital')  # fmt: skip
            notices.post_notice(session, actor=actor, notice=draft)
        page.locator('.scc-notice-title', has_text='接种点开放').wait_for(timeout=3000)
    finally:
        page.context.close()


def test_resident_opening_an_admin_page_sees_a_refusal_not_the_data(browser: Any, live_app: LiveApp) -> None:
    page = phone_page(browser)
    try:
        sign_in_resident(page, live_app.url)
        page.goto(f'{live_app.url}/admin/accounts')
        page.locator('.scc-refusal').wait_for()
        assert page.get_by_text('无权访问').count() >= 1  # "Access refused"
        assert page.locator('.scc-account').count() == 0
        body = page.locator('body').inner_text()
        assert 'admin2' not in body and 'gate1' not in body  # no staff usernames leak
    finally:
        page.context.close()


def test_language_switch_flips_between_chinese_and_english(browser: Any, live_app: LiveApp) -> None:
    page = phone_page(browser)
    try:
        sign_in_resident(page, live_app.url)
        page.get_by_text('城市公告').wait_for()
        page.locator('.scc-lang').click()
        page.get_by_text('City announcements').wait_for()
        page.get_by_text('Welcome to Spring City Cloud').wait_for()  # data in two languages follows too
        assert page.get_by_text('城市公告').count() == 0
        assert page.evaluate('document.documentElement.lang').startswith('en')
        page.reload()  # remembered for this browser
        page.get_by_text('City announcements').wait_for()
        page.locator('.scc-lang').click()
        page.get_by_text('城市公告').wait_for()
        assert page.get_by_text('City announcements').count() == 0
    finally:
        page.context.close()


def test_signing_out_in_one_tab_sends_the_other_open_tab_to_sign_in(browser: Any, live_app: LiveApp) -> None:
    code_tab = phone_page(browser)
    try:
        sign_in_resident(code_tab, live_app.url)
        code_tab.goto(f'{live_app.url}/code')
        code_tab.locator('.scc-clock').wait_for()
        other_tab = code_tab.context.new_page()  # the same browser: the same cookies
        other_tab.goto(f'{live_app.url}/logout')
        other_tab.locator('.scc-phone').wait_for()
        code_tab.wait_for_url(re.compile(r'.*/login'), timeout=5000)  # at once, without a click or a reload
        code_tab.goto(f'{live_app.url}/code')  # and the old cookie opens nothing any more
        code_tab.wait_for_url(re.compile(r'.*/login.*'))
    finally:
        code_tab.context.close()


def test_the_staff_header_fits_a_phone_with_its_links_behind_one_menu(browser: Any, live_app: LiveApp) -> None:
    page = phone_page(browser)
    try:
        sign_in_staff(page, live_app.url, 'admin')
        assert page.evaluate('document.documentElement.scrollWidth') <= 360  # nothing crushed or pushed sideways
        menu = page.locator('.scc-staff-menu')
        menu.wait_for()
        assert menu.get_attribute('aria-label') == '菜单'  # an icon button with a name (screen readers)
        menu.click()
        page.locator('.scc-staff-menu-items').get_by_text('审计日志', exact=True).click()  # "Audit log": a whole word
        page.wait_for_url(re.compile(r'.*/admin/audit'))
        screenshot(page, 'staff-admin-menu-phone')
    finally:
        page.context.close()
    desktop = desktop_page(browser)
    try:
        sign_in_staff(desktop, live_app.url, 'gate1')  # few links: a row on a desktop
        assert desktop.locator('.scc-staff-menu').is_hidden() or desktop.viewport_size['width'] < 1280
    finally:
        desktop.context.close()
