"""Fever clinic "call next" under contention: W waiting patients, D doctors clicking "call next" at the same
instant (each in their own thread and unit of work), round after round until the queue is empty; on SQLite or
PostgreSQL. Server-side latency is the service call with its commit (`queue.call_next` in `db.session_scope`).

    .venv/bin/python bench/clinic.py [--db sqlite|postgresql] [--quick] [--waiting 200] [--doctors 20]

Two ways of clicking, alternately, each emptying a fresh queue: through a thread pool like the app's
`run.io_bound` (the clock starts when the 20 clicks reach the server: `call_next_*`), and with a thread per doctor
released by a barrier (`threads_*`, harsher: 20 threads fight for the GIL).

Last line: JSON with waiting, doctors, calls, call_next_p50_ms, call_next_p95_ms, call_next_max_ms,
threads_p50_ms, threads_p95_ms, raw_p95_ms (the bare statement in raw sqlite3 or psycopg, same run: the floor), ratio,
double_assigned (must be 0, over both ways), missed (a doctor got nobody while patients were still waiting:
must be 0).
"""

import argparse
import os
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import bench_workdir, emit, machine, percentile, prepare_database, seed_configured_database  # noqa: E402

PG_BASE = 'postgresql+psycopg://postgres@127.0.0.1:5432/test'


def make_queue(waiting: int, doctors: int) -> list[Any]:
    """`waiting` patients in the queue (varied severities) and `doctors` doctors on duty; returns the doctors."""
    from sqlalchemy import insert, select

    from models.accounts import Account, Person, Role
    from models.clinic import ClinicConsultation, ClinicDuty
    from models.common import utcnow
    from services import db
    from services.access import Actor

    tag = uuid.uuid4().hex[:6]
    now = utcnow()
    account_row = {'language': '', 'large_text': False, 'failed_logins': 0, 'active': True, 'created_at': now}
    with db.session_scope() as session:
        session.execute(insert(Account), [{'role': Role.resident, 'display_name': f'p{tag}{i}', **account_row}
                                          for i in range(waiting)])  # fmt: skip
        session.execute(insert(Account), [{'role': Role.doctor, 'display_name': f'd{tag}{i}', 'username': f'd{tag}{i}',
                                           **account_row} for i in range(doctors)])  # fmt: skip
        accounts = Account.__table__  # type: ignore[attr-defined]
        residents = session.execute(select(accounts.c.id).where(accounts.c.display_name.startswith(f'p{tag}'))
                                    .order_by(accounts.c.id)).scalars().all()  # fmt: skip
        doctor_ids = session.execute(select(accounts.c.id).where(accounts.c.display_name.startswith(f'd{tag}'))
                                     .order_by(accounts.c.id)).scalars().all()  # fmt: skip
        session.execute(insert(Person), [{'real_name': '测试', 'district': '370102', 'id_number': f'C{tag}{i:09d}'[:18],
                                          'birth_date': now.date(), 'subject_id': f'{tag}{i}', 'account_id': a,
                                          'created_at': now} for i, a in enumerate(residents)])  # fmt: skip
        persons = Person.__table__  # type: ignore[attr-defined]
        people = session.execute(select(persons.c.id, persons.c.account_id).where(persons.c.subject_id.startswith(tag))
                                 .order_by(persons.c.id)).all()  # fmt: skip
        rows = []
        for i, (person_id, account_id) in enumerate(people):
            queued = now - timedelta(seconds=waiting - i)
            severity = (i * 7) % 11
            rows.append({'person_id': person_id, 'requested_by_account_id': account_id, 'status': 'waiting',
                         'temperature': 38.0, 'symptoms': 'cough', 'onset_date': now.date(), 'exposure': False,
                         'travel': False, 'travel_detail': '', 'red_flags': '', 'chronic': '', 'age': 40,
                         'severity': severity, 'worse_count': 0, 'queued_at': queued,
                         'rank_at': queued - timedelta(minutes=6 * severity), 'last_seen_at': now,
                         'next_check_at': now + timedelta(minutes=20), 'ask_pending': False, 'advice': '',
                         'clinic_code': '', 'referral_token': ''})  # fmt: skip
        session.execute(insert(ClinicConsultation), rows)
        session.execute(insert(ClinicDuty), [{'account_id': d, 'on_duty': True, 'since': now, 'last_seen_at': now}
                                             for d in doctor_ids])  # fmt: skip
    return [Actor(account_id=d, role=Role.doctor, label=f'doctor {d}') for d in doctor_ids]


def round_of_clicks(
    doctors: list[Any], pool: ThreadPoolExecutor | None
) -> tuple[list[float], list[int | None], list[str]]:
    """Every doctor clicks "call next" at once; latencies (s), the patients they got, errors.

    With `pool` the clicks go through a thread pool like the app's `run.io_bound` (NiceGUI's default executor) and
    the clock runs from the moment the click reaches the server; without, each doctor gets a thread of their own.
    """
    from services import db
    from services.clinic import queue

    barrier = threading.Barrier(len(doctors)) if pool is None else None
    latencies: list[float] = []
    got: list[int | None] = []
    errors: list[str] = []
    lock = threading.Lock()

    def click(doctor: Any, start: float = 0.0) -> None:
        if barrier is not None:
            barrier.wait()
            start = time.perf_counter()
        try:
            with db.session_scope() as session:
                called = queue.call_next(session, actor=doctor)
            result: int | None = called.id if called else None
            error = ''
        except Exception as exc:  # reported in the result
            result, error = None, repr(exc)
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)
            got.append(result)
            if error:
                errors.append(error)

    if pool is not None:
        arrived = time.perf_counter()
        for future in [pool.submit(click, d, arrived) for d in doctors]:
            future.result(60)
        return latencies, got, errors
    threads = [threading.Thread(target=click, args=(d,)) for d in doctors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return latencies, got, errors


def raw_floor(url: str, waiting: int, doctors: int) -> float:
    """The same take-the-first-waiting statement in raw sqlite3, one thread per doctor, one writer at a time
    (a Python lock, as the service does): p95 ms per click over one emptied queue. The floor for this machine now."""
    import sqlite3

    from services import db

    path = url.split('///', 1)[1]
    make_queue(waiting, doctors)
    db.get_engine().dispose()
    lock = threading.Lock()
    latencies: list[float] = []
    sql = ("UPDATE clinic_consultation SET status='in_consult', doctor_account_id=?, called_at=? "
           "WHERE id=(SELECT id FROM clinic_consultation WHERE status='waiting' ORDER BY rank_at, id LIMIT 1) "
           "AND status='waiting' RETURNING id")  # fmt: skip
    connections = [sqlite3.connect(path, isolation_level=None, check_same_thread=False) for _ in range(doctors)]
    for connection in connections:
        connection.execute('PRAGMA busy_timeout=30000')
        connection.execute('PRAGMA synchronous=NORMAL')
    try:
        for _round in range(waiting // doctors):
            barrier = threading.Barrier(doctors)

            def click(index: int, barrier: threading.Barrier = barrier) -> None:
                connection = connections[index]
                barrier.wait()
                start = time.perf_counter()
                with lock:
                    connection.execute('BEGIN IMMEDIATE')
                    connection.execute(sql, (index, '2026-01-01 00:00:00')).fetchone()
                    connection.execute('COMMIT')
                latencies.append(time.perf_counter() - start)

            threads = [threading.Thread(target=click, args=(i,)) for i in range(doctors)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
    finally:
        for connection in connections:
            connection.close()
    return percentile([x * 1000 for x in latencies], 0.95)


def raw_floor_pg(schema: str, waiting: int, doctors: int) -> float:
    """The same statement in raw psycopg (FOR UPDATE SKIP LOCKED, one autocommitted statement per click, one
    thread and connection per doctor, all at once): p95 ms per click over one emptied queue."""
    import psycopg

    make_queue(waiting, doctors)
    latencies: list[float] = []
    sql = ("UPDATE clinic_consultation SET status='in_consult', doctor_account_id=%s, called_at=now() "
           "WHERE id=(SELECT id FROM clinic_consultation WHERE status='waiting' ORDER BY rank_at, id LIMIT 1 "
           "FOR UPDATE SKIP LOCKED) AND status='waiting' RETURNING id")  # fmt: skip
    conninfo = PG_BASE.replace('postgresql+psycopg://', 'postgresql://')
    connections = [psycopg.connect(conninfo, autocommit=True, options=f'-csearch_path={schema}')
                   for _ in range(doctors)]  # fmt: skip
    try:
        for _round in range(waiting // doctors):
            barrier = threading.Barrier(doctors)

            def click(index: int, barrier: threading.Barrier = barrier) -> None:
                connection = connections[index]
                barrier.wait()
                start = time.perf_counter()
                connection.execute(sql, (index,)).fetchone()
                latencies.append(time.perf_counter() - start)

            threads = [threading.Thread(target=click, args=(i,)) for i in range(doctors)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
    finally:
        for connection in connections:
            connection.close()
    return percentile([x * 1000 for x in latencies], 0.95)


def finish_all() -> None:
    """Every doctor ends their consultation (outside the measurement), so all may call again."""
    from sqlalchemy import update

    from models.clinic import ClinicConsultation
    from models.common import utcnow
    from services import db

    table = ClinicConsultation.__table__  # type: ignore[attr-defined]
    with db.session_scope() as session:
        session.execute(update(table).where(table.c.status == 'in_consult').values(status='done', ended_at=utcnow()))


def waiting_now() -> int:
    from services import db
    from services.clinic.board import waiting_count

    with db.read_session() as session:
        return waiting_count(session)


def run(db_kind: str, quick: bool, waiting: int, doctors_n: int, workdir: Path) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    from services import db

    repeats = 1 if quick else 3
    schema = ''
    if db_kind == 'postgresql':
        schema = f'scc_bench_{uuid.uuid4().hex[:8]}'
        admin = create_engine(PG_BASE)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA {schema}'))
        db.configure(f'{PG_BASE}?options=-csearch_path%3D{schema}')
        seed_configured_database()
    else:
        url = prepare_database(workdir)
    latencies: dict[str, list[float]] = {'pool': [], 'threads': []}
    assigned: list[int] = []
    errors: list[str] = []
    missed = 0
    pool = ThreadPoolExecutor()  # the same executor as NiceGUI's run.io_bound: min(32, cores + 4) workers
    try:
        for repeat in range(repeats * 2):
            mode = 'pool' if repeat % 2 == 0 else 'threads'
            doctors = make_queue(waiting, doctors_n)
            while (before := waiting_now()) > 0:
                round_latencies, got, round_errors = round_of_clicks(doctors, pool if mode == 'pool' else None)
                latencies[mode] += round_latencies
                errors += round_errors
                assigned += [g for g in got if g is not None]
                missed += max(0, min(before, len(doctors)) - sum(1 for g in got if g is not None))
                finish_all()
        floor_p95 = (
            raw_floor(url, waiting, doctors_n) if db_kind == 'sqlite' else raw_floor_pg(schema, waiting, doctors_n)
        )
    finally:
        pool.shutdown()
        db.get_engine().dispose()
        if schema:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA {schema} CASCADE'))
            admin.dispose()
    double = sum(count - 1 for count in Counter(assigned).values() if count > 1)
    ms = [x * 1000 for x in latencies['pool']]
    own = [x * 1000 for x in latencies['threads']]
    return {'db': db_kind, 'waiting': waiting, 'doctors': doctors_n, 'repeats': repeats,
            'calls': len(ms) + len(own), 'assigned': len(assigned), 'call_next_p50_ms': round(percentile(ms, 0.5), 2),
            'call_next_p95_ms': round(percentile(ms, 0.95), 2), 'call_next_max_ms': round(max(ms, default=0), 2),
            'threads_p50_ms': round(percentile(own, 0.5), 2), 'threads_p95_ms': round(percentile(own, 0.95), 2),
            'raw_p95_ms': round(floor_p95, 2) if floor_p95 else None,
            'ratio': round(percentile(ms, 0.95) / floor_p95, 2) if floor_p95 else None,
            'pool_workers': pool._max_workers, 'double_assigned': double, 'missed': missed, 'errors': errors[:3],
            'quick': quick, 'load_avg_1m': round(os.getloadavg()[0], 1), 'machine': machine()}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--db', choices=('sqlite', 'postgresql'), default='sqlite')
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--waiting', type=int, default=200)
    parser.add_argument('--doctors', type=int, default=20)
    args = parser.parse_args()
    with bench_workdir('scc-bench-clinic-') as workdir:
        emit(run(args.db, args.quick, args.waiting, args.doctors, workdir))


if __name__ == '__main__':
    main()
