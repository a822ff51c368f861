"""Helpers for the reservation tests: a store, an item with its policy, slots at chosen times, many residents,
booking in a unit of work of its own, pharmacists at their stores, the active bookings of a slot; and, run as
`python -m tests.support.reservations rush …`, a booking process for the kill -9 rush (see `rush_process`).
(Actors: `tests.support.actors`; pages: `tests.support.pages`.)"""

import json
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from models.accounts import Account, Person, Role
from models.common import new_token, utcnow
from models.reservations import ACTIVE_STATUSES, AllocationMode, Reservation, ResItem, ResQuota, ResSlot, ResStore
from services import db
from services.access import Actor
from services.errors import DomainError
from services.reservations import booking, staff
from services.reservations.policy import local_day
from tests.support.actors import admin
from tests.support.rows import stored


def reserve(
    actor: Actor,
    slot_id: int,
    members: Mapping[int | None, int],
    now: datetime | None = None,
    *,
    key: str | None = None,
) -> booking.Booked:
    """Book `members` (person id → quantity; an actor's `person_id` must be set) in a unit of work of its own."""
    chosen = {person_id: quantity for person_id, quantity in members.items() if person_id is not None}
    assert len(chosen) == len(members), 'a member without a person id'
    with db.session_scope() as session:
        return booking.reserve(session, actor=actor, slot_id=slot_id, members=chosen, now=now, key=key)


def works_at(account_id: int, *store_ids: int) -> None:
    """The admin lets a pharmacist account work at these stores (as the M2 admin page does)."""
    with db.session_scope() as session:
        for store_id in store_ids:
            staff.assign(session, actor=admin(), account_id=account_id, store_id=store_id)


def active_bookings(slot_id: int) -> dict[int, int]:
    """Person id → number of active bookings (booked or applied) in a slot."""
    with db.read_session() as session:
        rows = session.execute(
            select(col(Reservation.person_id), func.count())
            .where(col(Reservation.slot_id) == slot_id, col(Reservation.status).in_(ACTIVE_STATUSES))
            .group_by(col(Reservation.person_id))
        ).all()
    return {int(person_id): int(count) for person_id, count in rows}


def family_of(actor: Actor) -> list[int]:
    """Ids of the family members `actor` manages."""
    with db.read_session() as session:
        return list(
            session.scalars(select(col(Person.id)).where(col(Person.managed_by_account_id) == actor.account_id))
        )


def make_item(*, quota: int = 5, mode: AllocationMode = AllocationMode.fcfs, **policy: Any) -> int:
    """An item whose booking window is always open for today and tomorrow (unless `policy` says otherwise)."""
    with db.session_scope() as session:
        values = {'window_open_minute': 0, 'window_days_before': 1, **policy}
        item = ResItem(code=new_token(6), name_zh='测试口罩', name_en='Test masks', quota=quota, mode=mode, **values)
        session.add(item)
        session.flush()
        assert item.id is not None
        return item.id


def make_store(name: str = '测试药房', district: str = '370102') -> int:
    """A store in `district`."""
    with db.session_scope() as session:
        store = ResStore(
            name_zh=name,
            name_en='Test pharmacy',
            district=district,
            address_zh='历下区测试路1号',
            address_en='1 Test Rd',
            lat=36.66,
            lon=117.02,
        )
        session.add(store)
        session.flush()
        assert store.id is not None
        return store.id


def make_slot(
    store_id: int,
    item_id: int,
    *,
    stock: int,
    starts_in: timedelta = timedelta(hours=1),
    length: timedelta = timedelta(hours=2),
    now: datetime | None = None,
) -> int:
    """A slot starting `starts_in` from now with `stock` units."""
    now = now or utcnow()
    starts = now + starts_in
    with db.session_scope() as session:
        slot = ResSlot(
            store_id=store_id,
            item_id=item_id,
            day=local_day(starts),
            starts_at=starts,
            ends_at=starts + length,
            capacity=stock,
            remaining=stock,
        )
        session.add(slot)
        session.flush()
        assert slot.id is not None
        return slot.id


def remaining(slot_id: int) -> int:
    """The slot's stock as the database has it."""
    return stored(ResSlot, slot_id).remaining


def many_residents(count: int, prefix: str = '') -> list[Actor]:
    """`count` residents with accounts and profiles (for the rush tests)."""
    tag = prefix or new_token(3)
    with db.session_scope() as session:
        accounts = [Account(role=Role.resident, phone=None, display_name=f'R{i}') for i in range(count)]
        session.add_all(accounts)
        session.flush()
        people = [
            Person(
                real_name='测试',
                district='370102',
                id_number=f'{tag}{i:06d}'[:18],
                birth_date=datetime(1990, 1, 1).date(),
                account_id=a.id,
            )
            for i, a in enumerate(accounts)
        ]
        session.add_all(people)
        session.flush()
        return [
            Actor(account_id=a.id, role=Role.resident, label=a.display_name, person_id=p.id)  # type: ignore[arg-type]
            for a, p in zip(accounts, people, strict=True)
        ]


def quota_used(session: Session, person_id: int, item_id: int) -> int:
    """What the quota ledger says a person has used."""
    row = session.get(ResQuota, (person_id, item_id))
    return row.used if row else 0


# -- the kill -9 rush ----------------------------------------------------------------------------------------------
SHOWN_AFTER_S = 0.05  # a confirmation reaches the phone this long after the commit (the network, the page update)


def rush_process(
    database_url: str, slot_id: int, jobs: list[tuple[int, int, str]], log_path: Path, threads: int = 8
) -> 'subprocess.Popen[str]':
    """A booking process: each job (account id, person id, key) books one unit in `slot_id` through the service
    layer, from `threads` threads; it prints `SHOWN <account> <reservation> <code>` when the resident would see
    the confirmation (after the commit), `REFUSED <account> <msgid>` for a refusal (errors go to `log_path`). Kill
    it -9 at any time."""
    command = [sys.executable, '-m', 'tests.support.reservations', 'rush', database_url, str(slot_id), str(threads)]
    with log_path.open('ab') as log:
        process = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent.parent, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1)  # fmt: skip
    assert process.stdin is not None
    process.stdin.write(json.dumps(jobs))
    process.stdin.close()
    return process


def _rush(database_url: str, slot_id: int, threads: int) -> None:
    """The booking process itself (`rush_process`)."""
    db.configure(database_url)
    jobs = json.loads(sys.stdin.read())
    lock = threading.Lock()
    ready = threading.Barrier(min(threads, len(jobs)))

    def say(line: str) -> None:
        with lock:
            sys.stdout.write(line + '\n')
            sys.stdout.flush()

    def book(index: int) -> None:
        account_id, person_id, key = jobs[index]
        if index < threads:
            ready.wait()  # the first wave together
        actor = Actor(account_id=account_id, role=Role.resident, label='r', person_id=person_id)
        try:
            with db.session_scope() as session:
                booked = booking.reserve(session, actor=actor, slot_id=slot_id, members={person_id: 1}, key=key)
        except DomainError as error:
            say(f'REFUSED {account_id} {error.message}')
            return
        time.sleep(SHOWN_AFTER_S)
        say(f'SHOWN {account_id} {booked.reservation_ids[0]} {booked.codes[0]}')

    say('READY')
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(book, range(len(jobs))))
    say('DONE')


if __name__ == '__main__' and sys.argv[1:2] == ['rush']:
    _rush(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
