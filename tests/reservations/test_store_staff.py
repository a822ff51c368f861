"""A pharmacist belongs to their store(s) and redeems only there: the service refuses another store's pass whatever
the page sends, the counter offers only their stores, and an admin assigns them on the M2 admin page."""

from datetime import timedelta

import pytest
from nicegui.testing import User
from sqlalchemy import select

from models.reservations import Reservation, ReservationStatus, ResStore
from services import db
from services.errors import DomainError, Forbidden
from services.reservations import pickup, queries, staff
from tests.support.actors import actor, admin
from tests.support.pages import choose, not_see, see, sign_in_staff
from tests.support.reservations import make_item, make_slot, make_store, reserve, works_at
from tests.support.rows import stored


def first_demo_store() -> ResStore:
    with db.read_session() as session:
        store = session.scalars(select(ResStore).order_by(ResStore.id)).first()  # type: ignore[arg-type]
        assert store is not None
        session.expunge(store)
        return store


def test_the_demo_pharmacist_works_at_one_demo_store() -> None:
    with db.read_session() as session:
        mine = staff.my_stores(session, actor=actor(username='pharma1'))
        every = queries.all_stores(session)
    assert [s.id for s in mine] == [first_demo_store().id] and len(every) > 1


def test_a_pass_of_another_store_is_refused_by_the_service() -> None:
    pharmacist, wang = actor(username='pharma1'), actor(phone='13800000002')
    own = first_demo_store().id or 0
    elsewhere = make_store('别人的药房')
    booked = reserve(wang, make_slot(elsewhere, make_item(), stock=5, starts_in=timedelta(minutes=-5)),
                     {wang.person_id: 1})  # fmt: skip
    # The page would never offer that store; a forged request names it anyway, with that store's own code.
    for check in (pickup.check_pass, pickup.hand_over):
        with pytest.raises(Forbidden, match='do not work at this store'), db.session_scope() as session:
            check(session, actor=pharmacist, store_id=elsewhere, text=booked.codes[0])
    with pytest.raises(DomainError, match='another store'), db.session_scope() as session:
        pickup.hand_over(session, actor=pharmacist, store_id=own, text=booked.codes[0])  # their store: not this pass
    assert stored(Reservation, booked.reservation_ids[0]).status == ReservationStatus.booked
    works_at(pharmacist.account_id, elsewhere)  # once the admin assigns them, they may
    with db.session_scope() as session:
        assert pickup.hand_over(session, actor=pharmacist, store_id=elsewhere, text=booked.codes[0]).status == (
            'picked_up'
        )


def test_only_an_admin_assigns_and_only_pharmacists() -> None:
    pharmacist = actor(username='pharma1')
    store = make_store()
    with pytest.raises(Forbidden), db.session_scope() as session:
        staff.assign(session, actor=pharmacist, account_id=pharmacist.account_id, store_id=store)
    with pytest.raises(DomainError, match='Only pharmacist accounts'), db.session_scope() as session:
        staff.assign(session, actor=admin(), account_id=actor(phone='13800000002').account_id, store_id=store)
    with db.session_scope() as session:
        assert store in staff.assign(session, actor=admin(), account_id=pharmacist.account_id, store_id=store)
        staff.assign(session, actor=admin(), account_id=pharmacist.account_id, store_id=store)  # again: no change
    with db.session_scope() as session:
        assert store not in staff.unassign(session, actor=admin(), account_id=pharmacist.account_id, store_id=store)


async def test_the_counter_offers_only_the_pharmacists_stores(user: User) -> None:
    own = first_demo_store()
    make_store('不是我的药房')
    await sign_in_staff(user, 'pharma1')
    await user.open('/pharmacy')
    await see(user, marker='scc-store-select')
    user.find(marker='scc-store-select').click()
    await see(user, own.name_zh)
    await not_see(user, '不是我的药房')


async def test_the_admin_assigns_a_pharmacist_to_a_store(user: User) -> None:
    store = make_store('新分配药房')
    pharmacist = actor(username='pharma1')
    await sign_in_staff(user, 'admin')
    await user.open('/admin/reservations')
    await see(user, marker='scc-staff-add')
    choose(user, 'scc-staff-store', '新分配药房')
    user.find(marker='scc-staff-add').click()
    await see(user, marker=f'scc-staff-remove-{pharmacist.account_id}-{store}')
    with db.read_session() as session:
        assert store in staff.store_ids(session, account_id=pharmacist.account_id)
