"""Double taps on the M2 pages (NiceGUI's simulated user): "Confirm" on /reserve makes one booking with one pickup
code, "Confirm handover" ends on the success, cancelling asks first and cancels once, "Join" queues once."""

import gc
from datetime import timedelta
from typing import Any

from nicegui import context
from nicegui.testing import User
from nicegui.testing.user_notify import UserNotify
from sqlalchemy import func, select
from sqlmodel import col

from models.accounts import AuditEntry
from models.reservations import Reservation, ResWait
from services import db
from tests.support.actors import actor
from tests.support.pages import choose, not_see, see, sign_in_resident, sign_in_staff
from tests.support.reservations import active_bookings, make_item, make_slot, make_store, remaining, reserve, works_at
from tests.support.waits import wait_for


class StrictNotify(UserNotify):
    """The simulated user's toasts, but sent as NiceGUI sends them: to the client of the current slot. A toast sent
    from a container that was just rebuilt or left raises, as it does on a real page (and never shows)."""

    def __call__(self, message: str, **kwargs: Any) -> None:
        gc.collect()  # a deleted container is gone at once on a real server; here too
        assert context.client is not None  # RuntimeError when the slot's element has been deleted
        super().__call__(message, **kwargs)


def strict_toasts(user: User) -> None:
    """Toasts of `user` must be sent within a context that still exists."""
    user.notify = StrictNotify()


def double_tap(user: User, marker: str) -> None:
    """Two taps on one button before the page has answered the first (both reach the server)."""
    user.find(marker=marker).click()
    user.find(marker=marker).click()


async def test_a_double_tap_on_confirm_makes_one_booking_with_one_code(user: User) -> None:
    item = make_item(quota=5)
    slot = make_slot(make_store('双击药房'), item, stock=5)
    wang = actor(phone='13800000002')
    await sign_in_resident(user, '13800000002')
    await see(user, '城市公告')
    await user.open(f'/reserve?item={item}&district=')
    user.find(marker=f'scc-reserve-{slot}').click()
    await see(user, marker='scc-confirm')
    button = user.find(marker='scc-confirm').elements.pop()
    double_tap(user, 'scc-confirm')
    await see(user, '预约成功。取货码：')
    await wait_for(lambda: button.enabled)  # type: ignore[attr-defined]  # every tap's handler has ended
    assert [m for m in user.notify.messages if '取货码' in m] == [f'预约成功。取货码：{booked_code(slot)}']
    assert not [m for m in user.notify.messages if '已有预约' in m]  # and no red refusal after the success
    assert active_bookings(slot) == {wang.person_id: 1} and remaining(slot) == 4


def booked_code(slot_id: int) -> str:
    """The pickup code of the one booking in a slot."""
    with db.read_session() as session:
        return session.scalars(select(col(Reservation.code)).where(col(Reservation.slot_id) == slot_id)).one()


async def test_a_double_tap_on_hand_over_ends_on_the_success(user: User) -> None:
    store = make_store('双击柜台')
    works_at(actor(username='pharma1').account_id, store)
    wang = actor(phone='13800000002')
    booked = reserve(wang, make_slot(store, make_item(), stock=5, starts_in=timedelta(minutes=-5)), {wang.person_id: 1})
    await sign_in_staff(user, 'pharma1')
    await user.open('/pharmacy')
    strict_toasts(user)
    await see(user, marker='scc-store-select')
    choose(user, 'scc-store-select', '双击柜台')
    user.find(marker='scc-scanner-input').type(booked.codes[0])
    user.find(marker='scc-scanner-submit').click()
    await see(user, marker='scc-handover')
    double_tap(user, 'scc-handover')
    await see(user, marker='scc-pickup-done')
    await not_see(user, marker='scc-pickup-refusal')
    await wait_for(lambda: '已发放。' in user.notify.messages)  # the success toast reaches the page
    with db.read_session() as session:
        handed = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == 'reservation.picked_up')  # type: ignore[arg-type]
        )
    assert handed == 1


async def test_cancelling_asks_first_and_a_double_tap_cancels_once(user: User) -> None:
    wang = actor(phone='13800000002')
    slot = make_slot(make_store('取消药房'), make_item(quota=5), stock=5)
    booked = reserve(wang, slot, {wang.person_id: 2})
    marker = f'scc-cancel-{booked.reservation_ids[0]}'
    await sign_in_resident(user, '13800000002')
    await see(user, '城市公告')
    await user.open('/reservations/mine')
    strict_toasts(user)
    await see(user, marker=marker)
    user.find(marker=marker).click()
    await see(user, marker='scc-confirm-no')  # the question first
    user.find(marker='scc-confirm-no').click()
    await not_see(user, marker='scc-confirm-no')
    assert remaining(slot) == 3  # "Back": nothing cancelled
    double_tap(user, marker)
    await see(user, marker='scc-confirm-yes')
    user.find(marker='scc-confirm-yes').click()
    await see(user, '已取消')
    assert remaining(slot) == 5 and active_bookings(slot) == {}
    await wait_for(lambda: '已取消：库存已重新开放预约。' in user.notify.messages)  # the success toast is shown


async def test_a_double_tap_on_join_queues_once(user: User) -> None:
    item = make_item(quota=5)
    slot = make_slot(make_store('候补药房'), item, stock=1)
    li = actor(phone='13800000003')
    reserve(li, slot, {li.person_id: 1})
    await sign_in_resident(user, '13800000002')
    await see(user, '城市公告')
    await user.open(f'/reserve?item={item}&district=')
    user.find(marker=f'scc-reserve-{slot}').click()
    await see(user, marker='scc-join-wait')
    user.find(marker='scc-join-wait').click()
    await see(user, marker='scc-wait-join')
    double_tap(user, 'scc-wait-join')
    await see(user, '您在候补名单中排第 1 位。')
    await not_see(user, '已在该门店当天的候补名单中')
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(ResWait)) == 1
