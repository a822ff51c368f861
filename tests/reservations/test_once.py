"""Every M2 action once, on the real database: one active booking per person per slot held by the database itself,
and a retry under the same idempotency key (a double tap, a dropped connection) returns the first result of
booking, cancelling, handing over, joining the waitlist, taking an offer and applying for a draw."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from models.common import utcnow
from models.reservations import AllocationMode, Reservation, ReservationStatus, ResWait
from models.sessions import ActionRecord
from services import db
from services.errors import DomainError
from services.reservations import admin, booking, cancel, lottery, pickup, waitlist
from services.reservations.policy import local_day
from tests.support.actors import actor
from tests.support.reservations import (
    active_bookings,
    family_of,
    make_item,
    make_slot,
    make_store,
    many_residents,
    remaining,
    reserve,
    works_at,
)

KEY = 'k' * 22


def test_a_second_active_booking_of_one_person_in_one_slot_is_refused_by_the_database() -> None:
    zhang = actor(phone='13800000001')
    father = family_of(zhang)[0]
    slot = make_slot(make_store(), make_item(quota=5), stock=20)
    first = reserve(zhang, slot, {zhang.person_id: 1})
    with pytest.raises(DomainError, match='already has a booking in this slot'):
        reserve(zhang, slot, {father: 1, zhang.person_id: 1})  # the household all or none: the father neither
    assert active_bookings(slot) == {zhang.person_id: 1} and remaining(slot) == 19
    # Not only the service: a row written past it is refused by the partial unique index.
    with pytest.raises(IntegrityError), db.session_scope() as session:
        session.execute(
            insert(Reservation).values(
                slot_id=slot,
                store_id=1,
                item_id=1,
                person_id=zhang.person_id,
                account_id=zhang.account_id,
                quantity=1,
                status=ReservationStatus.booked,
                code='',
                handled_by='',
                created_at=utcnow(),
            )  # fmt: skip
        )
    # Cancelled, the person may book the slot again.
    with db.session_scope() as session:
        cancel.cancel(session, actor=zhang, reservation_id=first.reservation_ids[0])
    again = reserve(zhang, slot, {zhang.person_id: 2, father: 1})
    assert len(again.reservation_ids) == 2 and active_bookings(slot) == {zhang.person_id: 1, father: 1}


def test_one_person_from_twenty_sessions_at_once_gets_one_booking() -> None:
    slot = make_slot(make_store(), make_item(quota=5), stock=50)
    person = many_residents(1)[0]
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def one(_index: int) -> None:
        barrier.wait()
        try:
            reserve(person, slot, {person.person_id: 1})
            outcomes.append('booked')
        except DomainError as error:
            outcomes.append(error.message)

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(one, range(20)))
    assert outcomes.count('booked') == 1, outcomes
    assert active_bookings(slot) == {person.person_id: 1} and remaining(slot) == 49


def test_the_same_key_twice_and_at_once_books_once_and_returns_the_first_booking() -> None:
    wang = actor(phone='13800000002')
    slot = make_slot(make_store(), make_item(quota=5), stock=10)
    first = reserve(wang, slot, {wang.person_id: 2}, key=KEY)
    assert reserve(wang, slot, {wang.person_id: 2}, key=KEY) == first  # the retry: same ids, same pickup code
    assert remaining(slot) == 8 and active_bookings(slot) == {wang.person_id: 1}
    # Twins under one key, at the same moment (a double tap over two connections): one booking, one answer.
    li = actor(phone='13800000003')
    barrier = threading.Barrier(6)

    def twin(_index: int) -> booking.Booked:
        barrier.wait()
        return reserve(li, slot, {li.person_id: 1}, key='t' * 22)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(twin, range(6)))
    assert len({(tuple(a.reservation_ids), tuple(a.codes)) for a in answers}) == 1
    assert remaining(slot) == 7 and active_bookings(slot)[li.person_id] == 1  # type: ignore[index]


def test_a_refused_action_keeps_no_key_and_a_malformed_key_is_refused() -> None:
    wang = actor(phone='13800000002')
    slot = make_slot(make_store(), make_item(quota=5), stock=1)
    with pytest.raises(DomainError, match='between 1 and 5'):
        reserve(wang, slot, {wang.person_id: 9}, key=KEY)
    assert reserve(wang, slot, {wang.person_id: 1}, key=KEY).remaining == 0  # the same key, tried again, books
    with pytest.raises(DomainError, match='out of date'):
        reserve(actor(phone='13800000003'), slot, {actor(phone='13800000003').person_id: 1}, key='x')
    with db.read_session() as session:
        records = session.scalar(select(func.count()).select_from(ActionRecord).where(col(ActionRecord.key) == KEY))
    assert records == 1


def test_cancel_twice_with_one_key_answers_twice_and_cancels_once() -> None:
    wang = actor(phone='13800000002')
    slot = make_slot(make_store(), make_item(quota=5), stock=5)
    booked = reserve(wang, slot, {wang.person_id: 2})
    with db.session_scope() as session:
        assert cancel.cancel(session, actor=wang, reservation_id=booked.reservation_ids[0], key=KEY) == 5
    with db.session_scope() as session:  # the retry gets the first answer, not "cannot be cancelled any more"
        assert cancel.cancel(session, actor=wang, reservation_id=booked.reservation_ids[0], key=KEY) == 5
    assert remaining(slot) == 5
    with pytest.raises(DomainError, match='cannot be cancelled'), db.session_scope() as session:
        cancel.cancel(session, actor=wang, reservation_id=booked.reservation_ids[0], key='n' * 22)


def test_hand_over_twice_with_one_key_ends_on_the_success() -> None:
    wang, pharmacist = actor(phone='13800000002'), actor(username='pharma1')
    store = make_store()
    works_at(pharmacist.account_id, store)
    booked = reserve(wang, make_slot(store, make_item(), stock=5, starts_in=timedelta(minutes=-5)), {wang.person_id: 1})
    with db.session_scope() as session:
        done = pickup.hand_over(session, actor=pharmacist, store_id=store, text=booked.codes[0], key=KEY)
    with db.session_scope() as session:
        assert pickup.hand_over(session, actor=pharmacist, store_id=store, text=booked.codes[0], key=KEY) == done
    assert done.status == 'picked_up'
    with pytest.raises(DomainError, match='Already picked up'), db.session_scope() as session:
        pickup.hand_over(session, actor=pharmacist, store_id=store, text=booked.codes[0], key='n' * 22)


def test_waitlist_join_and_accept_once() -> None:
    store, item = make_store(), make_item(quota=5)
    slot = make_slot(store, item, stock=1)
    reserve(actor(phone='13800000001'), slot, {actor(phone='13800000001').person_id: 1})
    wang = actor(phone='13800000002')
    day = local_day(utcnow() + timedelta(hours=1))

    def join(key: str | None) -> int:
        with db.session_scope() as session:
            return waitlist.join(session, actor=wang, store_id=store, item_id=item, day=day,
                                 person_id=wang.person_id, quantity=1, key=key)  # type: ignore[arg-type]  # fmt: skip

    assert join(KEY) == 1 and join(KEY) == 1  # the retry answers the same place
    with pytest.raises(DomainError, match='Already on the waitlist'):
        join(None)
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(ResWait)) == 1
    with db.session_scope() as session:  # stock comes back: it is held for Wang
        admin.change_supply(session, actor=actor(username='admin'), slot_id=slot, delta=1)
    with db.read_session() as session:
        entry = session.scalars(select(col(ResWait.id))).one() or 0
    with db.session_scope() as session:
        first = waitlist.accept(session, actor=wang, wait_id=entry, key=KEY)
    with db.session_scope() as session:
        assert waitlist.accept(session, actor=wang, wait_id=entry, key=KEY) == first
    assert active_bookings(slot) == {actor(phone='13800000001').person_id: 1, wang.person_id: 1}


def test_two_sessions_joining_the_waitlist_at_once_make_one_place() -> None:
    store, item = make_store(), make_item(quota=5)
    person = many_residents(1)[0]
    day = local_day(utcnow())
    barrier = threading.Barrier(8)

    def one(_index: int) -> str:
        barrier.wait()
        try:
            with db.session_scope() as session:
                waitlist.join(session, actor=person, store_id=store, item_id=item, day=day,
                              person_id=person.person_id, quantity=1)  # type: ignore[arg-type]  # fmt: skip
            return 'joined'
        except DomainError as error:
            return error.message

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(one, range(8)))
    assert outcomes.count('joined') == 1, outcomes
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(ResWait)) == 1


def test_lottery_application_once_per_person_and_key() -> None:
    wang = actor(phone='13800000002')
    item = make_item(quota=5, mode=AllocationMode.lottery)
    slot = make_slot(make_store(), item, stock=3, starts_in=timedelta(days=1))

    def apply(key: str | None) -> booking.Booked:
        with db.session_scope() as session:
            return lottery.apply(session, actor=wang, slot_id=slot, members={wang.person_id: 1}, key=key)  # type: ignore[dict-item]

    first = apply(KEY)
    assert apply(KEY) == first
    with pytest.raises(DomainError, match='Already applied'):
        apply(None)
    assert active_bookings(slot) == {wang.person_id: 1}
