"""Database engine and units of work: SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, SQLModel, create_engine

from services.settings import settings

_engine: Engine | None = None
_write_engine: Engine | None = None
CONNECT_TIMEOUT_S = 5


def _prepare_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and explicit BEGIN so writers can take the lock up front."""

    @event.listens_for(engine, 'connect')
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute('PRAGMA journal_mode=WAL')
        cursor.execute('PRAGMA foreign_keys=ON')
        cursor.execute('PRAGMA busy_timeout=30000')
        cursor.execute('PRAGMA synchronous=NORMAL')
        cursor.close()

    @event.listens_for(engine, 'begin')
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes can fail at once with "database is locked"
        # when another writer got in between; writers therefore take the lock when they begin.
        mode = connection.get_execution_options().get('sqlite_begin', 'DEFERRED')
        connection.exec_driver_sql(f'BEGIN {mode}')


def new_engine(url: str) -> Engine:
    """An engine for `url` with this app's settings (SQLite: WAL, foreign keys, busy timeout), not made current."""
    if url.startswith('sqlite'):
        path = url.split('///', 1)[-1]
        if path and path != ':memory:':
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={'check_same_thread': False, 'timeout': 30}, pool_size=8)
        _prepare_sqlite(engine)
        return engine
    # A server that does not answer must not hold a request (or /healthz) for minutes.
    connect_args = {'connect_timeout': CONNECT_TIMEOUT_S} if url.startswith('postgresql') else {}
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, connect_args=connect_args)


def writer(engine: Engine) -> Engine:
    """`engine` for units of work that write: on SQLite they take the write lock when they begin."""
    return engine.execution_options(sqlite_begin='IMMEDIATE') if engine.dialect.name == 'sqlite' else engine


def configure(url: str | None = None) -> Engine:
    """Create the engine for `url` (default: the configured database) and make it current."""
    global _engine, _write_engine
    if _engine is not None:
        _engine.dispose()
    engine = new_engine(url or settings.effective_database_url)
    _engine, _write_engine = engine, writer(engine)
    return engine


def get_engine() -> Engine:
    """The current engine, created on first use."""
    if _engine is None:
        configure()
    assert _engine is not None
    return _engine


def is_configured() -> bool:
    """Whether an engine exists already (tests configure theirs before the app starts)."""
    return _engine is not None


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work that may write: commits on success, rolls back on any error."""
    get_engine()
    assert _write_engine is not None
    with Session(_write_engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session() -> Iterator[Session]:
    """A read-only unit of work (never takes SQLite's write lock)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


def dialect() -> str:
    """'sqlite' or 'postgresql'."""
    return get_engine().dialect.name


def ping() -> bool:
    """True when the database answers a trivial query."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text('SELECT 1'))
        return True
    except Exception:
        return False


def truncate_all() -> None:
    """Empty every table (tests): faster than re-creating the schema for each test."""
    import models  # noqa: F401 — registers every table

    with get_engine().begin() as connection:
        # Only tables that exist: a model without its migration yet is reported by tests/test_migrations.py,
        # instead of breaking every other test here.
        existing = set(inspect(connection).get_table_names())
        tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables) if t.name in existing]
        if not tables:
            return
        if dialect() == 'postgresql':
            quoted = ', '.join(f'"{name}"' for name in tables)
            connection.execute(text(f'TRUNCATE {quoted} RESTART IDENTITY CASCADE'))
        else:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))


# SQLite lets one writer in at a time, and a writer that finds the lock taken sleeps in SQLite's busy handler in
# steps of up to 100 ms: in a rush (bookings, "call next", comment bursts) that sleep, not the work, is what people
# wait for. Hot writers wait on this one process-wide lock instead, which wakes the next the moment the previous
# transaction ends. Correctness never depends on it (the conditional UPDATEs do); other processes still queue on
# SQLite's own lock. One lock for every module, since they all queue for the same database file.
_write_gate = threading.Lock()
_GATE_KEY = 'scc_write_gate'


def write_gate(session: OrmSession) -> None:
    """SQLite: hold the process-wide writer turnstile until this unit of work ends (call it before its first
    statement; a no-op mid-transaction and on PostgreSQL)."""
    if session.get_bind().dialect.name != 'sqlite' or session.info.get(_GATE_KEY) or session.in_transaction():
        return
    _write_gate.acquire()
    session.info[_GATE_KEY] = True
    try:
        session.connection()  # begin now, so that the transaction's end (commit, rollback, close) releases the gate
    except BaseException:
        session.info.pop(_GATE_KEY, None)
        _write_gate.release()
        raise


@event.listens_for(OrmSession, 'after_transaction_end')
def _leave_write_gate(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None and session.info.pop(_GATE_KEY, False):
        _write_gate.release()
