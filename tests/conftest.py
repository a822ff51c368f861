"""Shared fixtures: a real database per test run (SQLite file, or PostgreSQL with SCC_TEST_DB=postgresql),
emptied and re-seeded with the demo city before every test; a clean event bus; helpers to sign in."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from main import MODULES
from services import bootstrap, db
from services.events import bus
from services.settings import settings
from tests.support.components import IN_CI, PG_BASE
from views.kit.modules import demo_seeders

DEMO_SEEDERS = demo_seeders(MODULES)


@pytest.fixture(scope='session')
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real database for the whole run, migrated from scratch by Alembic."""
    if os.environ.get('SCC_TEST_DB') == 'postgresql':
        schema = f'scc_test_{uuid.uuid4().hex[:10]}'  # own schema: parallel runs never meet
        admin = create_engine(PG_BASE)
        try:
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA {schema}'))
        except Exception as error:  # pragma: no cover — depends on the machine
            if IN_CI:
                raise
            pytest.skip(f'PostgreSQL not reachable: {error}')
        url = f'{PG_BASE}?options=-csearch_path%3D{schema}'
        yield url
        db.get_engine().dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA {schema} CASCADE'))
        admin.dispose()
    else:
        yield f'sqlite:///{tmp_path_factory.mktemp("db") / "test.db"}'


@pytest.fixture(autouse=True)
def fresh_state(database_url: str, tmp_path: Path) -> Iterator[None]:
    """Every test starts from the demo city, with no subscriptions left from the one before."""
    settings.demo_mode = True
    settings.seed_demo = True
    settings.gc_freeze = False
    settings.redis_url = ''
    if not db.is_configured() or str(db.get_engine().url.render_as_string(hide_password=False)) != database_url:
        db.configure(database_url)
    bootstrap.prepare_database(DEMO_SEEDERS)  # migrates once per engine
    db.truncate_all()
    bootstrap.prepare_database(DEMO_SEEDERS)  # re-seeds the demo city
    bus.reset()
    from views.kit import live

    live.reset()
    yield
    bus.reset()
    live.reset()


@pytest.fixture(autouse=True)
def nicegui_marked_stopped() -> None:
    """One failure stays one failure: when a `user` test fails in teardown (e.g. on ERROR logs), NiceGUI's lifespan
    skips its stop() and the app stays marked started, so every later `user` test would error with 'Unable to
    register another startup handler'."""
    from nicegui import core
    from nicegui.app.app import State

    if core.app._state is not State.STOPPED:  # noqa: SLF001
        core.app._state = State.STOPPED  # noqa: SLF001
