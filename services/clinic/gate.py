"""An in-process turnstile for SQLite writers of "call next".

SQLite allows one writer at a time; a writer that finds the lock taken sleeps in SQLite's busy handler in steps
of up to 100 ms, so twenty doctors clicking at once waited hundreds of milliseconds although each call takes
about two. Waiting on a Python lock instead wakes the next doctor the moment the previous transaction ends.
Correctness never depends on this (the conditional UPDATE does); other processes still queue on SQLite's lock.
Only for a unit of work that has not written yet (call it first thing), else two writers could wait on each other.
"""

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_gate = threading.Lock()
GATE_KEY = 'scc_clinic_gate'


def enter(session: Session) -> None:
    """Hold the turnstile until this session's transaction ends (SQLite only; no-op elsewhere)."""
    if session.get_bind().dialect.name != 'sqlite' or session.info.get(GATE_KEY):
        return
    _gate.acquire()
    session.info[GATE_KEY] = True


@event.listens_for(Session, 'after_transaction_end')
def _leave(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and session.info.pop(GATE_KEY, False):
        _gate.release()
