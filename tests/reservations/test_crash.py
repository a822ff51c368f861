"""A booking rush killed with `kill -9`, then retried, on the real database (SQLite, or PostgreSQL with
SCC_TEST_DB=postgresql): 0 duplicates, 0 oversold, 0 confirmed bookings lost.

The real app runs beside the rush on the same database and is killed -9 with it, then restarted. The bookings
themselves run in booking processes (the service layer, as the app's worker threads run it for the pages, with the
idempotency key each page gives its "Confirm" button); a resident "saw the confirmation" when its line came out of
the process, a moment after the commit. After the kill, every resident who saw none retries — first with the same
key (the page retrying after the connection dropped), then from a new page with a new key.
"""

import os
import secrets
import signal
import threading
import uuid
from pathlib import Path
from subprocess import Popen

from sqlalchemy import select
from sqlmodel import col

from models.reservations import ACTIVE_STATUSES, Reservation
from services import db
from tests.support.processes import LiveApp, free_port, start_app, stop_process, wait_until_healthy
from tests.support.reservations import (
    active_bookings,
    make_item,
    make_slot,
    make_store,
    many_residents,
    remaining,
    rush_process,
)
from tests.support.waits import wait_for_sync

STOCK = 120
RESIDENTS = 240  # twice the stock: the rush sells out
KILL_AFTER = 30  # confirmations seen before the kill


def app(database_url: str, tmp_path: Path, name: str) -> LiveApp:
    """The real app on this test's database (no Redis: one process)."""
    started = start_app(port=free_port(), channel=f'scc:test:{uuid.uuid4().hex[:8]}', log_path=tmp_path / f'{name}.log',
                        DATABASE_URL=database_url, REDIS_URL='', SEED_DEMO='true', DEMO_MODE='true',
                        GC_FREEZE='false', DATA_DIR=str(tmp_path / 'data'))  # fmt: skip
    wait_until_healthy(started.url, started.process)
    return started


class Lines:
    """What a booking process printed, read as it comes."""

    def __init__(self, process: 'Popen[str]') -> None:
        self.process = process
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())

    def shown(self) -> dict[int, tuple[int, str]]:
        """Account id → (reservation id, code) of each confirmation the resident saw."""
        found = {}
        for line in list(self.lines):
            if line.startswith('SHOWN '):
                _word, account, reservation, code = line.split()
                found[int(account)] = (int(reservation), code)
        return found

    def refused(self) -> dict[int, str]:
        """Account id → the msgid of each refusal."""
        return {int(line.split()[1]): line.split(' ', 2)[2] for line in list(self.lines) if line.startswith('REFUSED ')}

    def finish(self) -> 'Lines':
        """Wait for the process to end by itself (retries run to the end)."""
        self.process.wait(timeout=120)
        self.thread.join(timeout=10)
        assert 'DONE' in self.lines, 'the booking process stopped before the end'
        return self


def bookings_of(slot_id: int) -> dict[int, tuple[int, str]]:
    """Account id → (reservation id, code) of every active booking in the slot."""
    with db.read_session() as session:
        rows = session.execute(
            select(col(Reservation.account_id), col(Reservation.id), col(Reservation.code)).where(
                col(Reservation.slot_id) == slot_id, col(Reservation.status).in_(ACTIVE_STATUSES)
            )
        ).all()
    return {int(account): (int(reservation), str(code)) for account, reservation, code in rows}


def test_kill_9_mid_rush_and_retries_make_no_duplicate_no_oversell_and_lose_nothing(
    database_url: str, tmp_path: Path
) -> None:
    slot = make_slot(make_store('抢购药房'), make_item(quota=5), stock=STOCK)
    residents = many_residents(RESIDENTS)
    keys = {r.account_id: secrets.token_urlsafe(16) for r in residents}
    jobs = [(r.account_id, r.person_id or 0, keys[r.account_id]) for r in residents]
    first_app = app(database_url, tmp_path, 'app-1')
    halves = [jobs[0::2], jobs[1::2]]  # two booking processes, as two app workers would be
    rush = [Lines(rush_process(database_url, slot, half, tmp_path / 'rush.log', threads=6)) for half in halves]
    try:
        wait_for_sync(lambda: sum(len(r.shown()) for r in rush) >= KILL_AFTER, timeout=60)
    finally:
        for process in [r.process for r in rush] + [first_app.process]:
            os.kill(process.pid, signal.SIGKILL)  # mid-rush: transactions in flight, confirmations on their way
            process.wait(timeout=10)
    for r in rush:
        r.thread.join(timeout=10)
    assert not any('DONE' in r.lines for r in rush), 'the rush ended before the kill'
    seen = {account: booked for r in rush for account, booked in r.shown().items()}

    second_app = app(database_url, tmp_path, 'app-2')  # the restart after the crash comes up healthy
    try:
        committed = bookings_of(slot)
        unseen = {a: b for a, b in committed.items() if a not in seen}  # booked, but the resident never knew
        assert unseen, 'the kill caught no booking between its commit and its confirmation'
        assert all(committed.get(a) == b for a, b in seen.items()), 'a confirmed booking was lost'

        waiting = [job for job in jobs if job[0] not in seen]  # everyone who saw no confirmation taps again
        same_key = Lines(rush_process(database_url, slot, waiting, tmp_path / 'rush.log', threads=6)).finish()
        for account, booked in unseen.items():  # the same key: the first booking and its code, not a second one
            assert same_key.shown()[account] == booked
        new_page = [(a, p, secrets.token_urlsafe(16)) for a, p, _key in jobs]  # everyone, from a new page
        fresh = Lines(rush_process(database_url, slot, new_page, tmp_path / 'rush.log', threads=6)).finish()
        assert fresh.shown() == {}, 'a second booking of the same slot'
        final = bookings_of(slot)
        assert all(final.get(a) == b for a, b in seen.items()), 'a confirmed booking was lost'
        assert all(final[a] == b for a, b in same_key.shown().items())
    finally:
        stop_process(second_app.process)

    per_person = active_bookings(slot)
    assert max(per_person.values()) == 1, 'duplicates'
    assert len(per_person) + remaining(slot) == STOCK and remaining(slot) == 0, 'oversold or stock lost'
    assert set(fresh.refused().values()) <= {
        '{name} already has a booking in this slot: see My reservations.',
        'Sold out: this slot has no stock left. You can join the waitlist.',
    }
