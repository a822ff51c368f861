"""An in-process turnstile for SQLite bookings (the same idea as the clinic's `services/clinic/gate.py`).

SQLite lets one writer in at a time, and a writer that finds the lock taken sleeps in SQLite's busy handler in
steps of up to 100 ms; in a rush that sleep, not the work, is what buyers wait for. Waiting on a Python lock wakes
the next buyer the moment the previous transaction ends. Correctness never depends on it (the conditional UPDATEs
do); other processes still queue on SQLite's own lock. Enter before the unit of work's first statement.
"""

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_gate = threading.Lock()
GATE_KEY = 'scc_reservations_gate'


def enter(session: Session) -> None:
    """Hold the turnstile until this session's transaction ends (SQLite only; no-op elsewhere)."""
    if session.get_bind().dialect.name != 'sqlite' or session.info.get(GATE_KEY) or session.in_transaction():
        return
    _gate.acquire()
    session.info[GATE_KEY] = True
    try:
        session.connection()  # begin now, so that the transaction's end (commit, rollback, close) releases the gate
    except BaseException:
        session.info.pop(GATE_KEY, None)
        _gate.release()
        raise


@event.listens_for(Session, 'after_transaction_end')
def _leave(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and session.info.pop(GATE_KEY, False):
        _gate.release()
