"""Schema migrations (Alembic), run on start-up: every module's branch is brought to its head."""

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

from services import db
from services.settings import ROOT

PG_LOCK_ID = 0x5CC_0001  # any constant: the processes of one deployment agree on it


def alembic_config() -> Config:
    """Alembic's configuration pointing at migrations/ (no ini file needed)."""
    config = Config()
    config.set_main_option('script_location', str(ROOT / 'migrations'))
    return config


def upgrade(engine: Engine | None = None) -> None:
    """Apply every pending migration to `engine`'s database (default: the app's), idempotent and one process
    at a time: several processes starting together on one database wait for each other."""
    engine = engine or db.get_engine()
    config = alembic_config()
    with db.writer(engine).begin() as connection:  # SQLite: BEGIN IMMEDIATE takes the write lock first
        if connection.dialect.name == 'postgresql':
            connection.execute(text('SELECT pg_advisory_xact_lock(:id)'), {'id': PG_LOCK_ID})
        config.attributes['connection'] = connection
        command.upgrade(config, 'heads')
