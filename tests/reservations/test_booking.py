"""Reservations through the service layer on the real database: households, refusals, cancellation, pickup."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from models.common import utcnow
from models.reservations import Reservation, ReservationStatus
from services import db
from services.errors import DomainError
from services.events import DomainEvent, bus
from services.reservations import STOCK_CHANGED, StockChanged, admin, cancel, passes, pickup, queries
from tests.support.actors import actor
from tests.support.reservations import (
    family_of,
    make_item,
    make_slot,
    make_store,
    quota_used,
    remaining,
    reserve,
    works_at,
)


def test_household_books_in_one_transaction_all_or_none() -> None:
    zhang = actor(phone='13800000001')
    father = family_of(zhang)[0]
    item = make_item(quota=5)
    slot = make_slot(make_store(), item, stock=20)
    booked = reserve(zhang, slot, {zhang.person_id: 2, father: 3})
    assert len(booked.reservation_ids) == 2 and booked.remaining == 15
    assert all(len(c) == 6 and c.isdigit() for c in booked.codes) and booked.codes[0] != booked.codes[1]
    # The father has 2 left of his quota: asking 3 for him (in another slot: one booking per person per slot)
    # refuses the whole household, nothing is written.
    later = make_slot(make_store(), item, stock=20, starts_in=timedelta(hours=4))
    with pytest.raises(DomainError, match='Over quota'):
        reserve(zhang, later, {zhang.person_id: 1, father: 3})
    assert remaining(slot) == 15 and remaining(later) == 20
    with db.read_session() as session:
        assert quota_used(session, zhang.person_id, item) == 2  # type: ignore[arg-type]
        assert len(session.scalars(select(col(Reservation.id)).where(col(Reservation.slot_id) == slot)).all()) == 2


def test_cannot_book_for_strangers() -> None:
    zhang, wang = actor(phone='13800000001'), actor(phone='13800000002')
    slot = make_slot(make_store(), make_item(), stock=5)
    with pytest.raises(DomainError, match='family members you manage'):
        reserve(zhang, slot, {wang.person_id: 1})
    assert remaining(slot) == 5


def test_refusals_say_why() -> None:
    wang = actor(phone='13800000002')
    item = make_item()
    store = make_store()
    now = utcnow()
    with pytest.raises(DomainError, match='slot is over'):
        reserve(wang, make_slot(store, item, stock=5, starts_in=timedelta(hours=-3)), {wang.person_id: 1})
    with pytest.raises(DomainError, match=r'Booking for this slot opens at .* \(in \d+ min\)'):
        reserve(wang, make_slot(store, item, stock=5, starts_in=timedelta(days=4)), {wang.person_id: 1}, now)
    with pytest.raises(DomainError, match='between 1 and 5'):
        reserve(wang, make_slot(store, item, stock=5), {wang.person_id: 6})
    closed_slot = make_slot(store, item, stock=5)
    with db.session_scope() as session:
        admin.set_store_closed(session, actor=actor(username='admin'), store_id=store, closed=True)
    with pytest.raises(DomainError, match='store is closed'):
        reserve(wang, closed_slot, {wang.person_id: 1})
    sold = make_slot(make_store(), item, stock=1)
    reserve(wang, sold, {wang.person_id: 1})
    with pytest.raises(DomainError, match='Sold out'):
        reserve(actor(phone='13800000003'), sold, {actor(phone='13800000003').person_id: 1})
    assert remaining(sold) == 0


def test_quota_frees_up_after_its_window_and_says_when() -> None:
    li = actor(phone='13800000003')
    item = make_item(quota=3, quota_days=10)
    store = make_store()
    now = utcnow()
    reserve(li, make_slot(store, item, stock=10), {li.person_id: 3}, now)
    with pytest.raises(DomainError) as refused:
        reserve(li, make_slot(store, item, stock=10), {li.person_id: 1}, now)
    assert refused.value.params['left'] == 0 and refused.value.params['when']  # the date the quota frees up
    later = now + timedelta(days=10, minutes=1)
    slot = make_slot(store, item, stock=10, now=later)
    assert reserve(li, slot, {li.person_id: 3}, later).remaining == 7


def test_cancel_returns_stock_and_quota_at_once_and_publishes_after_commit() -> None:
    wang = actor(phone='13800000002')
    item = make_item()
    store = make_store()
    slot = make_slot(store, item, stock=3)
    seen: list[DomainEvent[StockChanged]] = []
    bus.subscribe(STOCK_CHANGED, seen.append)
    booked = reserve(wang, slot, {wang.person_id: 3})
    assert [e.payload.remaining for e in seen] == [0] and seen[0].key == str(store)
    with db.session_scope() as session:
        assert cancel.cancel(session, actor=wang, reservation_id=booked.reservation_ids[0]) == 3
    assert remaining(slot) == 3 and seen[-1].payload.remaining == 3
    with db.read_session() as session:
        assert quota_used(session, wang.person_id, item) == 0  # type: ignore[arg-type]
        with pytest.raises(DomainError, match='cannot be cancelled'):
            cancel.cancel(session, actor=wang, reservation_id=booked.reservation_ids[0])
    # A refused booking publishes nothing.
    count = len(seen)
    with pytest.raises(DomainError):
        reserve(wang, slot, {wang.person_id: 9})
    assert len(seen) == count


def test_pickup_pass_single_use_right_store_right_day() -> None:
    wang = actor(phone='13800000002')
    pharmacist = actor(username='pharma1')
    item = make_item()
    store, other = make_store(), make_store('另一家药房')
    works_at(pharmacist.account_id, store, other)  # at both: a pass of one is refused at the other for that reason
    slot = make_slot(store, item, stock=5, starts_in=timedelta(minutes=-10))
    booked = reserve(wang, slot, {wang.person_id: 2})
    with db.read_session() as session:
        mine = queries.my_reservations(session, actor=wang)
    token = mine[0].token
    assert token.startswith('SCCR1.') and mine[0].code == booked.codes[0]
    assert '370103' not in token and '13800000002' not in token  # neither ID number nor phone
    with db.session_scope() as session:
        with pytest.raises(DomainError, match='another store'):
            pickup.check_pass(session, actor=pharmacist, store_id=other, text=token)
        seen = pickup.check_pass(session, actor=pharmacist, store_id=store, text=booked.codes[0])
        assert seen.masked_name == '王*' and seen.quantity == 2
        with pytest.raises(DomainError, match='not genuine'):
            pickup.check_pass(session, actor=pharmacist, store_id=store, text=token[:-2] + 'xx')
    with db.session_scope() as session:
        done = pickup.hand_over(session, actor=pharmacist, store_id=store, text=token)
        assert done.status == 'picked_up'
    with pytest.raises(DomainError, match=r'Already picked up at \d\d:\d\d by '), db.session_scope() as session:
        pickup.hand_over(session, actor=pharmacist, store_id=store, text=booked.codes[0])
    with pytest.raises(DomainError, match='not today'), db.session_scope() as session:
        tomorrow = make_slot(store, item, stock=5, starts_in=timedelta(days=1, hours=1))
        other_day = reserve(wang, tomorrow, {wang.person_id: 1})
        token2 = passes.make_token(
            passes.signing_key(session),
            reservation_id=other_day.reservation_ids[0],
            code=other_day.codes[0],
            store_id=store,
            day=queries.local_day(utcnow() + timedelta(days=1, hours=1)),
        )
        pickup.check_pass(session, actor=pharmacist, store_id=store, text=token2)
    with pytest.raises(DomainError, match='role does not allow'), db.session_scope() as session:
        pickup.hand_over(session, actor=wang, store_id=store, text=token)


def test_signing_key_survives_a_restart() -> None:
    with db.read_session() as session:
        key = passes.signing_key(session)
    passes._cache.clear()  # a new process knows nothing
    db.configure(str(db.get_engine().url.render_as_string(hide_password=False)))
    with db.read_session() as session:
        assert passes.signing_key(session) == key


def test_status_after_pickup_is_in_the_database() -> None:
    wang = actor(phone='13800000002')
    slot = make_slot(make_store(), make_item(), stock=5)
    booked = reserve(wang, slot, {wang.person_id: 1})
    with db.read_session() as session:
        row = session.get(Reservation, booked.reservation_ids[0])
        assert row is not None and row.status == ReservationStatus.booked
