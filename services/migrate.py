"""Schema migrations (Alembic), run on start-up: every module's branch is brought to its head."""

from alembic import command
from alembic.config import Config

from services import db
from services.settings import ROOT


def alembic_config() -> Config:
    """Alembic's configuration pointing at migrations/ (no ini file needed)."""
    config = Config()
    config.set_main_option('script_location', str(ROOT / 'migrations'))
    return config


def upgrade() -> None:
    """Apply every pending migration to the current database (idempotent)."""
    config = alembic_config()
    with db.get_engine().begin() as connection:
        config.attributes['connection'] = connection
        command.upgrade(config, 'heads')
