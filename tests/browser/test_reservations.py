"""Reservations in a real browser: two residents watch the same store; one books the last unit; the other's
page shows 0 at once, pushed without reload, and their attempt is refused with a clear message."""

from typing import Any

import pytest

from tests.support.browser import LiveApp, phone_page, screenshot, sign_in_resident
from tests.support.reservations import make_item, make_slot, make_store, remaining

pytestmark = pytest.mark.browser


def test_last_unit_goes_to_one_and_the_other_sees_zero_at_once(browser: Any, live_app: LiveApp) -> None:
    item = make_item(quota=5)
    slot = make_slot(make_store('最后一只药房'), item, stock=1)
    first, second = phone_page(browser), phone_page(browser)
    try:
        sign_in_resident(first, live_app.url, '13800000001')
        sign_in_resident(second, live_app.url, '13800000002')
        for page in (first, second):
            page.goto(f'{live_app.url}/reserve?item={item}&district=')
            page.locator(f'.scc-stock-{slot}').wait_for()
            assert page.locator(f'.scc-stock-{slot}').inner_text().strip() == '1'
        second.evaluate('window.sccNoReload = true')  # gone if the page were reloaded
        second.locator(f'.scc-reserve-{slot}').click()  # the second resident has the form open already
        second.locator('.scc-confirm').wait_for()

        first.locator(f'.scc-reserve-{slot}').click()
        first.locator('.scc-confirm').click()
        # The other page is told by the stock event (never polled, never reloaded): wait for it to show 0.
        second.wait_for_function(f"document.querySelector('.scc-stock-{slot}').innerText.trim() === '0'", timeout=5000)
        assert second.evaluate('window.sccNoReload') is True
        first.get_by_text('预约成功。取货码：').first.wait_for()  # "Reserved. Pickup code: …"
        assert second.evaluate('document.documentElement.scrollWidth') <= 360

        second.locator('.scc-confirm').click()
        refusal = second.locator('.scc-reserve-refusal')
        refusal.wait_for()
        assert (
            refusal.inner_text().strip() == '已约满：该时段已无库存。您可以加入候补名单。'
        )  # sold out; join the waitlist
        screenshot(second, 'reservations-sold-out')
        assert remaining(slot) == 0
    finally:
        first.context.close()
        second.context.close()


def test_goods_tabs_fit_a_phone_without_wrapping(browser: Any, live_app: LiveApp) -> None:
    from models.reservations import ResItem
    from services import db

    names = ['儿童KN95口罩', '医用外科口罩', 'N95防护口罩', '一次性医用口罩', '儿童医用口罩']
    items = [make_item(quota=5) for _ in names]
    with db.session_scope() as session:
        for item_id, name in zip(items, names, strict=True):
            row = session.get(ResItem, item_id)
            assert row is not None
            row.name_zh = name
    store = make_store('标签药房')
    for item_id in items:
        make_slot(store, item_id, stock=5)
    page = phone_page(browser)
    try:
        sign_in_resident(page, live_app.url, '13800000001')
        page.goto(f'{live_app.url}/reserve?item={items[0]}&district=')
        page.locator('.scc-items').wait_for()
        page.locator('.scc-store').first.wait_for()
        # Every goods label on one line: its height is one line of its own text.
        wrapped = page.evaluate(
            """() => [...document.querySelectorAll('.scc-items .scc-item-tab')].filter(t => {
                const label = t.querySelector('.q-tab__label') || t;
                const line = parseFloat(getComputedStyle(label).lineHeight) || 20;
                return label.getBoundingClientRect().height > line * 1.5;
            }).map(t => t.innerText)"""
        )
        assert wrapped == []
        assert page.locator('.scc-live-on').is_visible() and not page.locator('.scc-live-off').is_visible()
        page.evaluate('window.socket.disconnect()')  # the connection drops: the page says so
        page.locator('.scc-live-off').wait_for(state='visible', timeout=3000)
        assert not page.locator('.scc-live-on').is_visible()
        page.evaluate('window.socket.connect()')
        page.locator('.scc-live-on').wait_for(state='visible', timeout=8000)  # and "live" again once it is back
        assert page.locator('.scc-items .scc-item-tab').count() >= len(names)  # the demo goods too
        assert page.evaluate('document.documentElement.scrollWidth') <= 360
        page.locator('.scc-items .scc-item-tab', has_text='一次性医用口罩').click()  # the tabs scroll; a tap switches
        page.wait_for_url(f'**/reserve?item={items[3]}*')
        page.locator('.scc-store').first.wait_for()
        screenshot(page, 'reservations-goods-tabs')
    finally:
        page.context.close()
