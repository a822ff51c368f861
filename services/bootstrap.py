"""Getting the database ready: engine, migrations, demo city. Safe to call more than once."""

import logging
from collections.abc import Callable, Sequence

from sqlmodel import Session

from services import db, migrate
from services.settings import settings

log = logging.getLogger(__name__)
_migrated_engines: set[int] = set()


def prepare_database(demo_seeders: Sequence[Callable[[Session], object]] = ()) -> None:
    """Configure the engine if needed, run pending migrations once per engine, seed the demo city if enabled.

    `demo_seeders` are the modules' demo-data functions in module order (main.MODULES); each is idempotent.
    """
    engine = db.get_engine()
    if id(engine) not in _migrated_engines:
        migrate.upgrade()
        _migrated_engines.add(id(engine))
    if settings.seed_demo:
        with db.session_scope() as session:
            for seed in demo_seeders:
                seed(session)
                session.flush()
    log.info('database ready: %s', engine.url.render_as_string(hide_password=True))
