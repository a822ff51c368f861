"""Every submitting action happens once: a retry with the same idempotency key returns the first result.

A page gives each submitting button a key (a fresh random one after each success); the service runs its action
through `once()`. The key is recorded in the same transaction as the action, under a unique constraint: a double
tap, a retry after a dropped connection or a replayed request finds the record and gets the first result back,
instead of booking, posting or recording a second time. If the action is refused or fails, the transaction rolls
back together with the key, and the same key may be tried again. Keys are per account and action, so one account
can never replay another's.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from pydantic import TypeAdapter
from sqlalchemy.exc import IntegrityError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from models.common import utcnow
from models.sessions import ActionRecord
from services.access import Actor
from services.errors import N_, DomainError

T = TypeVar('T')
KEY = re.compile(r'^[A-Za-z0-9_-]{16,64}$')
KEEP = timedelta(days=2)  # a retry comes within minutes; a day's margin covers a long outage


def once(session: Session, *, actor: Actor, action: str, key: str | None, run: Callable[[], T],
         result: type[T]) -> T:  # fmt: skip
    """Run `run()` unless this actor already did `action` under `key`; either way return the (first) result."""
    if key is None:  # callers without a page (jobs, scripts, tests of the bare service) act every time
        return run()
    if not KEY.match(key):
        raise DomainError(N_('This form is out of date. Please reload the page and try again.'))
    adapter = TypeAdapter(result)
    done = _recorded(session, actor=actor, action=action, key=key)
    if done is not None:
        return adapter.validate_json(done)
    try:
        with session.begin_nested():  # the key first: a concurrent twin waits here (or fails) instead of acting
            record = ActionRecord(account_id=actor.account_id, action=action, key=key)
            session.add(record)
            session.flush()
    except IntegrityError:
        done = _recorded(session, actor=actor, action=action, key=key)
        if done is None:
            raise
        return adapter.validate_json(done)
    value = run()
    record.result = adapter.dump_json(value).decode()
    session.add(record)
    session.flush()
    return value


def _recorded(session: Session, *, actor: Actor, action: str, key: str) -> str | None:
    """The stored result of an action already done under `key`, or None."""
    query = select(ActionRecord.result).where(ActionRecord.account_id == actor.account_id,
                                              ActionRecord.action == action, ActionRecord.key == key)  # fmt: skip
    return session.exec(query).first()


def purge(session: Session, *, older_than: timedelta = KEEP) -> int:
    """Forget action records older than `older_than` (a daily job); returns how many."""
    result = session.execute(delete(ActionRecord).where(col(ActionRecord.created_at) < utcnow() - older_than))
    return int(getattr(result, 'rowcount', 0) or 0)
