"""A rush of concurrent buyers against one release, through the service layer (`booking.reserve` in its own
unit of work per buyer, with an idempotency key as the pages send it), on SQLite or PostgreSQL; and the bare
conditional decrement in raw sqlite3/psycopg in the same run as the floor.

    .venv/bin/python bench/reservations.py [--db sqlite|postgresql] [--quick] [--threads N]

Last line: JSON with db, buyers, stock, booked (must equal stock), oversold (must be 0), per_s (committed
reservations per second while stock lasted), p50_ms/p95_ms (per booking attempt), raw_per_s, ratio.
"""

import argparse
import gc
import secrets
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import bench_workdir, emit, machine, percentile, prepare_database, seed_configured_database  # noqa: E402

PG_BASE = 'postgresql+psycopg://postgres@127.0.0.1:5432/test'


def make_buyers(count: int) -> list[Any]:
    """`count` residents (account + person), inserted in bulk; returns them as Actors."""
    from sqlalchemy import insert, select

    from models.accounts import Account, Person, Role
    from models.common import utcnow
    from services import db
    from services.access import Actor

    tag = uuid.uuid4().hex[:6]
    now = utcnow()
    with db.session_scope() as session:
        session.execute(
            insert(Account),
            [
                {
                    'role': Role.resident,
                    'display_name': f'b{tag}{i}',
                    'language': '',
                    'large_text': False,
                    'failed_logins': 0,
                    'active': True,
                    'created_at': now,
                }
                for i in range(count)
            ],
        )
        accounts = (
            session.execute(
                select(Account.id).where(Account.display_name.startswith(f'b{tag}')).order_by(Account.id)  # type: ignore[attr-defined, call-overload]
            )
            .scalars()
            .all()
        )
        session.execute(
            insert(Person),
            [
                {
                    'real_name': '测试',
                    'district': '370102',
                    'id_number': f'B{tag}{i:09d}'[:18],
                    'birth_date': now.date(),
                    'subject_id': f'{tag}{i}',
                    'account_id': a,
                    'created_at': now,
                }
                for i, a in enumerate(accounts)
            ],
        )
        rows = session.execute(
            select(Person.id, Person.account_id).where(Person.subject_id.startswith(tag)).order_by(Person.id)  # type: ignore[attr-defined, call-overload]
        ).all()
    return [Actor(account_id=a, role=Role.resident, label='b', person_id=p) for p, a in rows]


def make_release(stock: int) -> tuple[int, int]:
    """An item with a quota, a store, and one slot with `stock` units; returns (slot id, floor slot id)."""
    from datetime import timedelta

    from models.common import utcnow
    from models.reservations import ResItem, ResSlot, ResStore
    from services import db
    from services.reservations.policy import local_day

    with db.session_scope() as session:
        item = ResItem(
            code=uuid.uuid4().hex[:8],
            name_zh='基准口罩',
            name_en='Bench masks',
            quota=5,
            window_open_minute=0,
            window_days_before=1,
        )
        store = ResStore(
            name_zh='基准药房',
            name_en='Bench pharmacy',
            district='370102',
            address_zh='历下区',
            address_en='Lixia',
            lat=36.66,
            lon=117.02,
        )
        session.add_all([item, store])
        session.flush()
        starts = utcnow() + timedelta(hours=1)
        slots = [
            ResSlot(
                store_id=store.id,  # type: ignore[arg-type]
                item_id=item.id,  # type: ignore[arg-type]
                day=local_day(starts),
                starts_at=starts,  # type: ignore[arg-type]
                ends_at=starts + timedelta(hours=3),
                capacity=stock,
                remaining=stock,
            )
            for _ in range(2)
        ]
        session.add_all(slots)
        session.flush()
        return slots[0].id, slots[1].id  # type: ignore[return-value]


def rush(buyers: list[Any], slot_id: int, threads: int) -> dict[str, Any]:
    """Every buyer tries to book one unit at once (a barrier releases the threads together)."""
    from services import db
    from services.errors import DomainError
    from services.reservations import booking

    lock = threading.Lock()
    queue = list(reversed(buyers))
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    refused: list[float] = []
    booked_at: list[float] = []
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        barrier.wait()
        while True:
            with lock:
                if not queue:
                    return
                buyer = queue.pop()
            key = secrets.token_urlsafe(16)  # as every page's "Confirm" sends one (services.idempotency)
            began = time.perf_counter()
            try:
                with db.session_scope() as session:
                    booking.reserve(session, actor=buyer, slot_id=slot_id, members={buyer.person_id: 1}, key=key)
                result = 'booked'
            except DomainError as error:
                result = error.message.split(':')[0]
            ended = time.perf_counter()
            with lock:
                outcomes[result] += 1
                if result == 'booked':
                    latencies.append(ended - began)
                    booked_at.append(ended)
                else:
                    refused.append(ended - began)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    total = time.perf_counter() - start
    sold_out = (max(booked_at) - start) if booked_at else total
    return {
        'outcomes': dict(outcomes),
        'latencies': latencies,
        'refused': refused,
        'sold_out_s': sold_out,
        'total_s': total,
    }


def raw_floor(url: str, slot_id: int, stock: int, threads: int, postgres: bool) -> float:
    """The same conditional decrement in the bare driver, one transaction each, same threads: decrements/s."""
    left = [stock]
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def connect() -> Any:
        if postgres:
            import psycopg

            schema = url.split('search_path%3D')[1]
            return psycopg.connect('postgresql://postgres@127.0.0.1:5432/test', options=f'-csearch_path={schema}')
        import sqlite3

        conn = sqlite3.connect(url.split('///', 1)[1], isolation_level=None, timeout=30, check_same_thread=False)
        conn.execute('PRAGMA journal_mode=WAL')
        conn.execute('PRAGMA synchronous=NORMAL')
        return conn

    def worker() -> None:
        conn = connect()
        barrier.wait()
        sql = 'UPDATE res_slot SET remaining = remaining - 1 WHERE id = %s AND remaining >= 1'
        while True:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            if postgres:
                with conn.transaction():
                    conn.execute(sql, (slot_id,))
            else:
                conn.execute('BEGIN IMMEDIATE')
                conn.execute(sql.replace('%s', '?'), (slot_id,))
                conn.execute('COMMIT')
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    return stock / (time.perf_counter() - start)


def check(slot_id: int, stock: int) -> tuple[int, int]:
    """(units booked in the database, units oversold)."""
    from sqlalchemy import func, select

    from models.reservations import Reservation, ReservationStatus, ResSlot
    from services import db

    with db.read_session() as session:
        res = Reservation.__table__  # type: ignore[attr-defined]
        query = select(func.coalesce(func.sum(res.c.quantity), 0)).where(
            res.c.slot_id == slot_id, res.c.status == ReservationStatus.booked
        )
        booked = session.execute(query).scalar() or 0
        slot = session.get(ResSlot, slot_id)
        assert slot is not None
    oversold = max(0, int(booked) - stock) + max(0, -slot.remaining)
    return int(booked), oversold


def run(db_kind: str, quick: bool, threads: int, workdir: Path) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    from services import db

    stock = 1500 if quick else 15000
    buyers_n = stock * 2
    schema = ''
    if db_kind == 'postgresql':
        schema = f'scc_bench_{uuid.uuid4().hex[:8]}'
        admin = create_engine(PG_BASE)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA {schema}'))
        url = f'{PG_BASE}?options=-csearch_path%3D{schema}'
        db.configure(url)
        seed_configured_database()
    else:
        url = prepare_database(workdir)
    try:
        slot_id, floor_slot = make_release(stock)
        buyers = make_buyers(buyers_n)
        gc.collect()
        gc.freeze()  # as the app does after start-up (GC_FREEZE): long-lived objects are not rescanned
        result = rush(buyers, slot_id, threads)
        booked, oversold = check(slot_id, stock)
        raw_per_s = raw_floor(url, floor_slot, stock, threads, db_kind == 'postgresql')
    finally:
        db.get_engine().dispose()
        if schema:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA {schema} CASCADE'))
            admin.dispose()
    per_s = booked / result['sold_out_s'] if result['sold_out_s'] else 0.0
    latencies_ms = [x * 1000 for x in result['latencies']]  # booked attempts, lock waits included
    refused_ms = [x * 1000 for x in result['refused']]
    return {
        'db': db_kind,
        'buyers': buyers_n,
        'stock': stock,
        'threads': threads,
        'booked': booked,
        'oversold': oversold,
        'per_s': round(per_s),
        'attempts_per_s': round(buyers_n / result['total_s']),
        'p50_ms': round(percentile(latencies_ms, 0.5), 2),
        'p95_ms': round(percentile(latencies_ms, 0.95), 2),
        'refused_p50_ms': round(percentile(refused_ms, 0.5), 2),
        'raw_per_s': round(raw_per_s),
        'ratio': round(per_s / raw_per_s, 3) if raw_per_s else None,
        'outcomes': result['outcomes'],
        'quick': quick,
        'machine': machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--db', choices=('sqlite', 'postgresql'), default='sqlite')
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--threads', type=int, default=4)
    args = parser.parse_args()
    with bench_workdir('scc-bench-res-') as workdir:
        emit(run(args.db, args.quick, args.threads, workdir))


if __name__ == '__main__':
    main()
