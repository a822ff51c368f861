"""Zero oversell: 50 times more concurrent buyers than stock, threads calling the service on the real database
(SQLite by default, PostgreSQL with SCC_TEST_DB=postgresql); no person over quota from two sessions at once."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlmodel import col

from models.reservations import Reservation, ReservationStatus
from services import db
from services.access import Actor
from services.errors import DomainError
from services.reservations import booking
from tests.support.reservations import make_item, make_slot, make_store, many_residents, quota_used, remaining

STOCK = 6
BUYERS = STOCK * 50


def rush(calls: list[tuple[Actor, int, dict[int, int]]], threads: int = 24) -> Counter[str]:
    """Run every call at once (a barrier releases the first wave together); count outcomes."""
    barrier = threading.Barrier(min(threads, len(calls)))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def one(index: int) -> None:
        actor, slot_id, members = calls[index]
        if index < threads:
            barrier.wait()
        try:
            with db.session_scope() as session:
                booking.reserve(session, actor=actor, slot_id=slot_id, members=members)
            result = 'booked'
        except DomainError as error:
            result = error.message.split(':')[0]
        with lock:
            outcomes[result] += 1

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, range(len(calls))))
    return outcomes


def booked_units(slot_id: int) -> int:
    with db.read_session() as session:
        total = session.execute(
            select(func.coalesce(func.sum(col(Reservation.quantity)), 0)).where(
                col(Reservation.slot_id) == slot_id, col(Reservation.status) == ReservationStatus.booked
            )
        ).scalar()
    return int(total or 0)


def test_fifty_times_more_buyers_than_stock_books_exactly_the_stock() -> None:
    slot = make_slot(make_store(), make_item(quota=5), stock=STOCK)
    buyers = many_residents(BUYERS)
    outcomes = rush([(b, slot, {b.person_id: 1}) for b in buyers])  # type: ignore[dict-item]
    assert outcomes['booked'] == STOCK
    assert outcomes['Sold out'] == BUYERS - STOCK
    assert remaining(slot) == 0
    assert booked_units(slot) == STOCK


def test_same_person_from_many_sessions_never_exceeds_quota() -> None:
    item = make_item(quota=5)
    store = make_store()
    slots = [make_slot(store, item, stock=500) for _ in range(40)]  # one booking per person per slot: 40 slots
    person = many_residents(1)[0]
    outcomes = rush([(person, slot, {person.person_id: 2}) for slot in slots])  # type: ignore[dict-item]
    assert outcomes['booked'] == 2  # 2 + 2 fits the quota of 5, a third 2 does not
    assert outcomes['Over quota'] == 38
    with db.read_session() as session:
        assert quota_used(session, person.person_id, item) == 4  # type: ignore[arg-type]
    assert sum(booked_units(slot) for slot in slots) == 4 and sum(remaining(slot) for slot in slots) == 40 * 500 - 4


def test_mixed_rush_households_and_duplicates() -> None:
    """Buyers with quantities 1–3, each person from two sessions at once, a scarce slot: no oversell, no over-quota."""
    item = make_item(quota=3)
    slot = make_slot(make_store(), item, stock=STOCK)
    buyers = many_residents(BUYERS // 2)
    calls = [(b, slot, {b.person_id: 1 + i % 3}) for i, b in enumerate(buyers)] * 2
    outcomes = rush(calls)  # type: ignore[arg-type]
    assert remaining(slot) >= 0 and booked_units(slot) == STOCK - remaining(slot)
    assert booked_units(slot) <= STOCK and outcomes['booked'] >= 2
    with db.read_session() as session:
        for b in buyers:
            units = session.execute(
                select(func.coalesce(func.sum(col(Reservation.quantity)), 0)).where(
                    col(Reservation.person_id) == b.person_id
                )
            ).scalar()
            assert int(units or 0) <= 3


def test_a_refusal_before_any_statement_never_blocks_the_next_buyer() -> None:
    slot = make_slot(make_store(), make_item(quota=5), stock=5)
    buyer = many_residents(1)[0]
    for _ in range(3):  # refused at once (no person chosen): the turnstile must be released each time
        try:
            with db.session_scope() as session:
                booking.reserve(session, actor=buyer, slot_id=slot, members={})
        except DomainError:
            pass
    with db.session_scope() as session:
        assert booking.reserve(session, actor=buyer, slot_id=slot, members={buyer.person_id: 1}).remaining == 4  # type: ignore[dict-item]
