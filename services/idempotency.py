"""Every submitting action happens once: a retry with the same idempotency key returns the first result.

A page gives each submitting button a key (a fresh random one after each success); the service runs its action
through `once()`. The key is recorded in the same transaction as the action, under a unique constraint: a double
tap, a retry after a dropped connection or a replayed request finds the record and gets the first result back,
instead of booking, posting or recording a second time. If the action is refused or fails, the transaction rolls
back together with the key, and the same key may be tried again. Keys are per account and action, so one account
can never replay another's.
"""

import re
from collections.abc import Callable, Hashable
from datetime import timedelta
from functools import lru_cache
from typing import Any, TypeVar, cast

from pydantic import TypeAdapter
from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from models.common import utcnow
from models.sessions import ActionRecord
from services.access import Actor
from services.errors import N_, DomainError

T = TypeVar('T')
KEY = re.compile(r'^[A-Za-z0-9_-]{16,64}$')
KEEP = timedelta(days=2)  # a retry comes within minutes; a day's margin covers a long outage


@lru_cache(maxsize=256)
def _adapter(result: Any) -> TypeAdapter[Any]:
    return TypeAdapter(result)


def once(session: Session, *, actor: Actor, action: str, key: str | None, run: Callable[[], T],
         result: type[T]) -> T:  # fmt: skip
    """Run `run()` unless this actor already did `action` under `key`; either way return the (first) result."""
    if key is None:  # callers without a page (jobs, scripts, tests of the bare service) act every time
        return run()
    if not KEY.match(key):
        raise DomainError(N_('This form is out of date. Please reload the page and try again.'))
    adapter = _adapter(cast(Hashable, result))  # types, and generic aliases like list[int], are hashable
    # The key, the action and its result in one savepoint: if the action is refused (even when the caller catches
    # that and commits), the key goes with it. A twin inserting the same key at the same moment waits for this
    # transaction (PostgreSQL) or for the writer lock (SQLite), then finds the record.
    with session.begin_nested():
        values = {'account_id': actor.account_id, 'action': action, 'key': key, 'result': '', 'created_at': utcnow()}
        insert = (pg_insert if session.get_bind().dialect.name == 'postgresql' else sqlite_insert)(ActionRecord)
        claimed = session.execute(
            insert.values(**values).on_conflict_do_nothing(index_elements=['account_id', 'action', 'key'])
            .returning(col(ActionRecord.id))
        ).scalar()  # fmt: skip
        if claimed is None:
            done = _recorded(session, actor=actor, action=action, key=key)
            if done:
                return cast(T, adapter.validate_json(done))
            raise DomainError(N_('This form is out of date. Please reload the page and try again.'))
        value = run()
        stored = update(ActionRecord).where(col(ActionRecord.id) == claimed)
        session.execute(stored.values(result=adapter.dump_json(value).decode()))
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
