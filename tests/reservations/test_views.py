"""The reservation pages through NiceGUI's simulated users: a resident reserves and sees the pass, another
page's stock changes live, the pharmacist hands over once, the admin's dashboard and the open data feed."""

from datetime import timedelta
from typing import Any

from nicegui.testing import User

from services import db
from services.reservations import booking
from tests.support.actors import actor
from tests.support.pages import choose, not_see, see, sign_in_resident, sign_in_staff
from tests.support.reservations import make_item, make_slot, make_store, remaining, reserve, works_at
from tests.support.waits import wait_for


def stock_shown(user: User, slot_id: int) -> str:
    """The stock the page shows for a slot."""
    label = user.find(marker=f'scc-stock-{slot_id}').elements.pop()
    return str(label.text)  # type: ignore[attr-defined]


async def test_resident_reserves_and_sees_the_pass(user: User) -> None:
    item = make_item(quota=5)
    store = make_store('测试大药房')
    slot = make_slot(store, item, stock=3)
    await sign_in_resident(user, '13800000002')
    await see(user, '城市公告')
    await user.open(f'/reserve?item={item}&district=')
    await see(user, '测试大药房')
    await see(user, marker=f'scc-stock-{slot}')
    user.find(marker=f'scc-reserve-{slot}').click()
    await see(user, marker='scc-confirm')
    user.find(marker='scc-confirm').click()
    await see(user, '预约成功。取货码：')
    assert remaining(slot) == 2
    await user.open('/reservations/mine')
    await see(user, marker='scc-pass-code')
    await see(user, '测试大药房')
    await user.open('/')
    await see(user, marker='scc-next-pickup')


async def test_stock_changes_live_and_refusal_is_clear(user: User) -> None:
    item = make_item(quota=5)
    store = make_store('直播药房')
    slot = make_slot(store, item, stock=1)
    await sign_in_resident(user, '13800000003')
    await see(user, '城市公告')
    await user.open(f'/reserve?item={item}&district=')
    await see(user, marker=f'scc-stock-{slot}')
    assert stock_shown(user, slot) == '1'
    user.find(marker=f'scc-reserve-{slot}').click()
    await see(user, marker='scc-confirm')
    wang = actor(phone='13800000002')
    with db.session_scope() as session:  # somebody else takes the last unit
        booking.reserve(session, actor=wang, slot_id=slot, members={wang.person_id: 1})  # type: ignore[dict-item]
    await wait_for(lambda: stock_shown(user, slot) == '0')  # pushed to the open page: no reload
    user.find(marker='scc-confirm').click()
    await see(user, '已约满：该时段已无库存。您可以加入候补名单。')
    user.find(marker='scc-join-wait').click()  # sold out: the form offers the waitlist
    await see(user, marker='scc-wait-join')
    user.find(marker='scc-wait-join').click()
    await see(user, '您在候补名单中排第 1 位。')


async def test_pharmacist_hands_over_once(user: User) -> None:
    item = make_item(quota=5)
    store = make_store('柜台药房')
    works_at(actor(username='pharma1').account_id, store)
    slot = make_slot(store, item, stock=5, starts_in=timedelta(minutes=-5))
    wang = actor(phone='13800000002')
    with db.session_scope() as session:
        booked = booking.reserve(session, actor=wang, slot_id=slot, members={wang.person_id: 2})  # type: ignore[dict-item]
    await sign_in_staff(user, 'pharma1')
    await user.open('/pharmacy')
    await see(user, marker='scc-store-select')
    choose(user, 'scc-store-select', '柜台药房')
    user.find(marker='scc-scanner-input').type(booked.codes[0])
    user.find(marker='scc-scanner-submit').click()
    await see(user, marker='scc-pickup-name')
    await see(user, '王*')
    user.find(marker='scc-handover').click()
    await see(user, marker='scc-pickup-done')
    user.find(marker='scc-scanner-input').type(booked.codes[0])
    user.find(marker='scc-scanner-submit').click()
    await see(user, marker='scc-pickup-refusal')
    await see(user, '发放')


async def test_dashboard_and_open_data_feed_with_etag(user: User) -> None:
    await sign_in_staff(user, 'admin')
    await user.open('/admin/reservations/dashboard')
    await see(user, marker='scc-dashboard')
    await user.open('/admin/reservations')
    await see(user, '口罩供应：物品、门店和时段')
    first = await user.http_client.get('/api/reservations/stock.json')
    assert first.status_code == 200 and first.json()['stores']
    etag = first.headers['etag']
    again = await user.http_client.get('/api/reservations/stock.json', headers={'If-None-Match': etag})
    assert again.status_code == 304
    geo = await user.http_client.get('/api/reservations/stock.geojson')
    assert geo.json()['type'] == 'FeatureCollection' and geo.json()['features'][0]['geometry']['type'] == 'Point'


async def test_dashboard_follows_bookings_live(user: User) -> None:
    item = make_item(quota=5)
    slot = make_slot(make_store('看板药房'), item, stock=10, starts_in=timedelta(minutes=-1))
    await sign_in_staff(user, 'admin')
    await user.open(f'/admin/reservations/dashboard?item={item}')
    await see(user, marker='scc-dashboard')
    table = user.find(marker='scc-dashboard').elements.pop()

    def reserved() -> int:
        rows: list[dict[str, Any]] = table.rows  # type: ignore[attr-defined]
        return sum(int(row['reserved']) for row in rows)

    assert reserved() == 0
    wang, li = actor(phone='13800000002'), actor(phone='13800000003')
    reserve(wang, slot, {wang.person_id: 3})
    await wait_for(lambda: reserved() == 3)  # the first change at once, without a reload
    reserve(li, slot, {li.person_id: 2})
    await wait_for(lambda: reserved() == 5)  # later ones at most once a second, the last one not lost


async def test_admin_changes_the_supply_of_a_coming_slot(user: User) -> None:
    from nicegui.testing.user_interaction import UserInteraction
    from sqlalchemy import func, select

    from models.reservations import ResSlot

    def total_capacity() -> tuple[int, int]:
        with db.session_scope() as session:
            row = session.execute(select(func.sum(ResSlot.capacity), func.sum(ResSlot.remaining))).one()
            return int(row[0] or 0), int(row[1] or 0)

    before = total_capacity()
    await sign_in_staff(user, 'admin')
    await user.open('/admin/reservations')
    await see(user, marker='scc-supply-row')
    buttons = user.find('调整供应量').elements  # 'Change supply', one per coming slot; the default step is 10
    UserInteraction(user, {next(iter(buttons))}, '调整供应量').click()
    await see(user, '供应量已调整')
    after = total_capacity()
    assert after == (before[0] + 10, before[1] + 10)


async def test_the_page_says_it_is_live_and_when_the_stock_last_changed(user: User) -> None:
    from views.kit.fmt import city_time

    item = make_item(quota=5)
    store = make_store('实时药房')
    slot = make_slot(store, item, stock=5)
    await sign_in_resident(user, '13800000003')
    await see(user, '城市公告')
    await user.open(f'/reserve?item={item}&district=')
    await see(user, marker='scc-live-status')
    await not_see(user, '秒前更新')  # no "updated 916 s ago" that reads as stale while the stock is live

    def shown(marker: str) -> str:
        return str(user.find(marker=marker).elements.pop().text)  # type: ignore[attr-defined]

    assert shown('scc-live-text').startswith('实时 · 最近变动 ')
    wang = actor(phone='13800000002')
    with db.session_scope() as session:
        booked = booking.reserve(session, actor=wang, slot_id=slot, members={wang.person_id: 1})  # type: ignore[dict-item]
    await wait_for(lambda: stock_shown(user, slot) == '4')
    with db.read_session() as session:
        from models.reservations import ResSlot

        row = session.get(ResSlot, slot)
        assert row is not None and booked.reservation_ids
        at = city_time(row.updated_at, '%H:%M:%S')
    assert shown('scc-live-text') == f'实时 · 最近变动 {at}'
    assert shown(f'scc-store-changed-{store}') == f'各时段剩余数量 · 最近变动 {at}'
    await see(user, marker='scc-live-lost')  # the warning for a lost connection is there, shown by the phone


async def test_a_lottery_slot_says_take_part_in_the_draw_never_sign_up(user: User) -> None:
    from pathlib import Path

    from models.reservations import AllocationMode

    po = Path(__file__).parents[2] / 'assets/locales/zh_CN/LC_MESSAGES/reservations.po'
    wording = [line for line in po.read_text(encoding='utf-8').splitlines() if line.startswith('msgstr')]
    assert not [line for line in wording if '报名' in line or '摇号' in line]  # "apply" is 申请, the draw 抽签
    item = make_item(quota=5, mode=AllocationMode.lottery)
    slot = make_slot(make_store('抽签药房'), item, stock=5, starts_in=timedelta(days=1))
    await sign_in_resident(user, '13800000003')
    await see(user, '城市公告')
    await user.open(f'/reserve?item={item}&district=')
    await see(user, marker=f'scc-reserve-{slot}')
    button = user.find(marker=f'scc-reserve-{slot}').elements.pop()
    assert button.text == '参与抽签'  # type: ignore[attr-defined]
    user.find(marker=f'scc-reserve-{slot}').click()
    await see(user, '申请参与抽签')


async def test_a_store_shows_its_phone_hours_and_a_map_link_without_tiles(user: User) -> None:
    from models.reservations import ResStore

    item = make_item(quota=5)
    store = make_store('电话药房')
    with db.session_scope() as session:
        row = session.get(ResStore, store)
        assert row is not None
        row.phone, row.opens, row.closes = '0531-86001234', '08:30', '20:00'
    make_slot(store, item, stock=5)
    await sign_in_resident(user, '13800000003')
    await see(user, '城市公告')
    await user.open(f'/reserve?item={item}&district=')
    await see(user, '营业时间 08:30–20:00')
    phone = user.find(marker=f'scc-store-phone-{store}').elements.pop()
    assert phone.text == '0531-86001234' and phone.props['href'] == 'tel:053186001234'  # type: ignore[attr-defined]
    link = user.find(marker=f'scc-store-map-{store}').elements.pop()
    assert link.props['href'].startswith('geo:36.66,117.02?q=36.66,117.02')  # type: ignore[attr-defined]  # a map app
