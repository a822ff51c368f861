"""The real components tests need (PostgreSQL, Redis, Chromium) and what happens when one is missing."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from services import db

IN_CI = os.environ.get('CI', '').lower() == 'true'
PG_BASE = os.environ.get('SCC_TEST_PG', 'postgresql+psycopg://postgres@127.0.0.1:5432/test')
REDIS_URL = os.environ.get('SCC_TEST_REDIS', 'redis://127.0.0.1:6379/15')


def require_or_skip(reason: str) -> None:
    """Skip a test whose real component is missing — except in CI, where it must be there."""
    if IN_CI:
        pytest.fail(f'required in CI: {reason}')
    pytest.skip(reason)


def redis_problem(url: str = REDIS_URL) -> str:
    """Why Redis at `url` cannot be used ('' when it answers)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.close()
        return ''
    except Exception as error:
        return str(error)


@contextmanager
def empty_database(tmp_path: Path, prefix: str = 'scc_empty') -> Iterator[Engine]:
    """A database with no tables at all, of the kind this run tests (SQLite file, or a new PostgreSQL schema)."""
    if os.environ.get('SCC_TEST_DB') != 'postgresql':
        engine = db.new_engine(f'sqlite:///{tmp_path / "empty.db"}')
        try:
            yield engine
        finally:
            engine.dispose()
        return
    schema = f'{prefix}_{uuid.uuid4().hex[:10]}'
    admin = create_engine(PG_BASE)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA {schema}'))
    except Exception as error:
        admin.dispose()
        require_or_skip(f'PostgreSQL not reachable: {error}')
    engine = db.new_engine(f'{PG_BASE}?options=-csearch_path%3D{schema}')
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA {schema} CASCADE'))
        admin.dispose()
