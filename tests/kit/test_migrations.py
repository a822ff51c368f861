"""Migrations: on an empty database `upgrade()` creates exactly the tables the models declare (nothing missing,
nothing extra, same columns, types, indexes and keys), and running it again changes nothing."""

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import models  # noqa: F401 — every table
from services import migrate
from tests.support.components import empty_database as support_empty_database

ON_POSTGRES = os.environ.get('SCC_TEST_DB') == 'postgresql'
CHANGES = ('CREATE', 'ALTER', 'DROP', 'INSERT', 'UPDATE', 'DELETE')


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[Engine]:
    """A database with no tables at all, of the kind this run tests (SQLite file, or a new PostgreSQL schema)."""
    with support_empty_database(tmp_path, prefix='scc_migrate') as engine:
        yield engine


def differences(engine: Engine) -> list[Any]:
    """What Alembic's autogenerate would still write: the gap between the database and the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={'compare_type': True, 'compare_server_default': False})
        return list(compare_metadata(context, SQLModel.metadata))


def heads_in_database(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def test_upgrade_creates_exactly_the_models_tables(empty_database: Engine) -> None:
    assert inspect(empty_database).get_table_names() == []
    migrate.upgrade(empty_database)

    tables = set(inspect(empty_database).get_table_names()) - {'alembic_version'}
    declared = set(SQLModel.metadata.tables)
    assert sorted(declared - tables) == [], 'tables of models/ without a migration'
    assert sorted(tables - declared) == [], 'tables created by migrations that no model declares'
    diff = differences(empty_database)
    assert diff == [], 'the migrations and models/ disagree (autogenerate would write this):\n' + '\n'.join(
        map(repr, diff)
    )
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert heads_in_database(empty_database) == set(script.get_heads())  # every module's branch at its head


def test_a_second_upgrade_changes_nothing(empty_database: Engine) -> None:
    migrate.upgrade(empty_database)
    heads = heads_in_database(empty_database)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(empty_database, 'before_cursor_execute', record)
    try:
        migrate.upgrade(empty_database)
    finally:
        event.remove(empty_database, 'before_cursor_execute', record)
    changes = [s for s in statements if s.lstrip().upper().startswith(CHANGES)]
    assert changes == []
    assert heads_in_database(empty_database) == heads


def test_processes_starting_together_migrate_one_at_a_time(empty_database: Engine) -> None:
    # Several app processes on one new database all run upgrade() at start-up; none may fail or half-migrate.
    errors: list[BaseException] = []

    def start_one() -> None:
        try:
            migrate.upgrade(empty_database)
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    workers = [threading.Thread(target=start_one) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert differences(empty_database) == []
