"""Getting the database ready: engine, migrations, demo city. Safe to call more than once."""

import logging

from services import db, demo, migrate
from services.settings import settings

log = logging.getLogger(__name__)
_migrated_engines: set[int] = set()


def prepare_database() -> None:
    """Configure the engine if needed, run pending migrations once per engine, seed the demo city if enabled."""
    engine = db.get_engine()
    if id(engine) not in _migrated_engines:
        migrate.upgrade()
        _migrated_engines.add(id(engine))
    if settings.seed_demo:
        with db.session_scope() as session:
            demo.seed_all(session)
    log.info('database ready: %s', engine.url.render_as_string(hide_password=True))
