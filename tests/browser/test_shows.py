"""Cloud performances in a real browser: a resident watches the schedule and a show's page on a phone; the
organizer (a second browser context) presses go live; both resident pages show LIVE (and the player, which says
clearly that the demo stream is not available) without reload; a comment the organizer hides vanishes."""

import time
from typing import Any

import pytest

from services import db
from services.shows import editing
from tests.support.browser import LiveApp, desktop_page, phone_page, screenshot, sign_in_resident, sign_in_staff
from tests.support.shows import live_show_id, scheduled_show_id

pytestmark = pytest.mark.browser
GO_LIVE_MS = 1000  # the organizer's go-live reaches an open watch page within a second


def test_go_live_and_a_hidden_comment_reach_the_resident_without_reload(browser: Any, live_app: LiveApp) -> None:
    show_id = scheduled_show_id()  # 京剧《锁麟囊》, later today; its demo stream does not exist
    resident = phone_page(browser)
    organizer = desktop_page(browser)
    with db.read_session() as session:
        starts_at = editing.get_show(session, show_id=show_id).starts_at
    try:
        # The phone's clock is 3 hours fast: the countdown must still be right (corrected by the server's clock).
        resident.context.clock.install(time=time.time() + 3 * 3600)
        sign_in_resident(resident, live_app.url)
        resident.locator('.scc-live-banner', has_text='吕剧《李二嫂改嫁》').wait_for()  # "Live now" on Home
        screenshot(resident, 'shows-home')
        schedule = resident.context.new_page()
        schedule.goto(f'{live_app.url}/shows')
        card = schedule.locator('.scc-show-card', has_text='京剧《锁麟囊》')
        card.locator('.scc-countdown').wait_for()
        schedule.wait_for_function("document.querySelector('.scc-countdown').textContent.includes(':')")
        shown = card.locator('.scc-countdown').inner_text()
        hours, minutes, seconds = (int(part) for part in shown.split()[-1].split(':'))
        expected = starts_at.timestamp() - time.time()
        assert abs(hours * 3600 + minutes * 60 + seconds - expected) < 60, (
            f'countdown {shown!r}, expected {expected:.0f} s'
        )
        screenshot(schedule, 'shows-schedule')
        assert schedule.evaluate('document.documentElement.scrollWidth') <= 360
        resident.goto(f'{live_app.url}/shows/{show_id}')
        resident.locator('.scc-show-state', has_text='已安排').wait_for()
        assert not resident.locator('.scc-player').is_visible()
        for page in (resident, schedule):
            page.evaluate('window.sccNoReload = true')  # gone if the page were reloaded
        assert resident.evaluate('document.documentElement.scrollWidth') <= 360

        sign_in_staff(organizer, live_app.url, 'organizer1')
        organizer.goto(f'{live_app.url}/organizer/shows/{show_id}')
        organizer.locator('.scc-golive').click()
        resident.locator('.scc-show-state', has_text='直播中').wait_for(timeout=GO_LIVE_MS)
        resident.locator('.scc-player video').wait_for(state='attached')
        assert resident.locator('.scc-player').is_visible()
        # The demo stream does not exist: the player says so instead of breaking.
        resident.get_by_text('直播流暂时无法播放').wait_for(timeout=10_000)
        schedule.locator('.scc-group-live').wait_for(timeout=5000)
        schedule.locator('.scc-show-card', has_text='京剧《锁麟囊》').locator(
            '.scc-show-state', has_text='直播中'
        ).wait_for()
        assert resident.evaluate('window.sccNoReload') is True and schedule.evaluate('window.sccNoReload') is True
        screenshot(resident, 'shows-watch-live')

        resident.locator('.scc-comment-input input').fill('<b>好!</b> 精彩')
        resident.locator('.scc-comment-send').click()
        resident.locator('.scc-comment', has_text='<b>好!</b> 精彩').wait_for()  # shown as text, not as HTML
        assert resident.locator('.scc-comments b').count() == 0
        organizer.reload()
        organizer.locator('.scc-mod-comment').first.wait_for()
        screenshot(organizer, 'shows-console')
        row = organizer.locator('.scc-mod-comment', has_text='<b>好!</b> 精彩')
        row.locator('.scc-hide').click()
        resident.locator('.scc-comment', has_text='<b>好!</b> 精彩').wait_for(state='detached', timeout=5000)
        assert resident.evaluate('window.sccNoReload') is True
    finally:
        resident.context.close()
        organizer.context.close()


def test_each_cheer_fits_inside_its_button_on_a_phone(browser: Any, live_app: LiveApp) -> None:
    resident = phone_page(browser)
    try:
        sign_in_resident(resident, live_app.url)
        resident.goto(f'{live_app.url}/shows/{live_show_id()}')
        resident.locator('.scc-cheers button').first.wait_for()
        resident.locator('.scc-cheers').scroll_into_view_if_needed()
        boxes = resident.evaluate(
            """() => [...document.querySelectorAll('.scc-cheers button')].map((b) => {
                const c = b.querySelector('.q-btn__content'), r = b.getBoundingClientRect();
                const range = document.createRange(); range.selectNodeContents(c);
                const t = range.getBoundingClientRect();
                return {text: b.innerText, l: r.left, r: r.right, t: r.top, b: r.bottom,
                        tl: t.left, tr: t.right, tt: t.top, tb: t.bottom};
            })"""
        )
        screenshot(resident, 'shows-cheers')
        assert len(boxes) == 5
        for box in boxes:  # the text of each cheer stays inside its own pill ("好!" and "Bravo!" do not run together)
            assert box['l'] - 0.5 <= box['tl'] and box['tr'] <= box['r'] + 0.5, box
            assert box['t'] - 0.5 <= box['tt'] and box['tb'] <= box['b'] + 0.5, box
            assert box['r'] <= 360, box
        for one, other in zip(boxes, boxes[1:], strict=False):  # and the pills do not overlap
            assert one['r'] <= other['l'] + 0.5 or one['b'] <= other['t'] + 0.5 or other['b'] <= one['t'] + 0.5, (
                one,
                other,
            )
        assert resident.evaluate('document.documentElement.scrollWidth') <= 360
    finally:
        resident.context.close()


def test_the_poster_uploader_shows_no_raw_counter_and_required_fields_are_marked(
    browser: Any, live_app: LiveApp
) -> None:
    organizer = desktop_page(browser)
    try:
        sign_in_staff(organizer, live_app.url, 'organizer1')
        organizer.goto(f'{live_app.url}/organizer/shows/{live_show_id()}')
        organizer.get_by_text('海报', exact=True).click()  # open the poster section
        uploader = organizer.locator('.scc-poster-upload')
        uploader.wait_for()
        uploader.get_by_text('选择海报图片').wait_for()  # says what to choose
        assert not uploader.get_by_text('0.0B').is_visible()  # not Quasar's raw "0.0B / 0.00%"
        assert organizer.locator('.q-uploader__subtitle:visible').count() == 0
        screenshot(organizer, 'shows-console-poster')
        organizer.goto(f'{live_app.url}/organizer/shows/new')
        for label in (
            '标题（中文） *',
            '标题（英文） *',
            '演出团体（中文） *',
            '演出场地（中文） *',
            '开始时间 *',
            '结束时间 *',
        ):
            organizer.get_by_text(label, exact=True).wait_for()
        organizer.get_by_text('标有 * 的为必填项。').wait_for()
        assert organizer.get_by_text('演出团体（英文）', exact=True).is_visible()  # optional: falls back to Chinese
    finally:
        organizer.context.close()
