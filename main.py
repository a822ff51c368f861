"""Spring City Cloud (泉城云): start the app — `make run`, or `.venv/bin/python main.py`.

Wiring only: settings, database, event bus, the module list, ui.run. Everything a module adds is in its package
(`views/<module>/` and `services/<module>/`); the order of MODULES is the order their routes are registered.
"""

import logging
import sys

from nicegui import app, run, ui

from services import bootstrap, gc_policy
from services.events import bus
from services.settings import settings
from views import clinic, foundation, healthcode, reservations, shows
from views.kit import background, security
from views.kit.modules import Module, demo_seeders, register_all

MODULES: tuple[Module, ...] = (
    foundation.MODULE,  # sign-in, accounts, Home, notices, profile, admin, /healthz
    healthcode.MODULE,  # M1
    reservations.MODULE,  # M2
    clinic.MODULE,  # M3
    shows.MODULE,  # M4
)


log = logging.getLogger('spring-city')
_failed: list[BaseException] = []


async def _startup() -> None:
    # In this order: the database is migrated before any module's start-up work or job touches it.
    try:
        await run.io_bound(bootstrap.prepare_database, demo_seeders(MODULES))
        await bus.start(settings.redis_url, settings.event_channel)
        if settings.gc_freeze:
            gc_policy.freeze_start_up()
        await background.start_all()
    except Exception as error:  # never serve half started: /healthz would say "starting" forever
        log.critical('start-up failed, stopping: %s', error, exc_info=True)
        _failed.append(error)
        app.shutdown()
        return
    foundation.mark_started()


async def _shutdown() -> None:
    await bus.stop()


def build() -> None:
    """Register every module and the start-up work (the app is not served yet)."""
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    security.install(app)  # before the modules' routes: headers, origins, body limit, ids (docs/security.md)
    if settings.gc_freeze:
        background.every(gc_policy.REFREEZE_S, gc_policy.refreeze)
        background.every(gc_policy.FULL_COLLECT_S, gc_policy.full_collect)
    register_all(MODULES)
    app.on_startup(_startup)
    app.on_shutdown(_shutdown)


def serve() -> None:
    """Serve the built app (blocks)."""
    ui.run(
        host=settings.host,
        port=settings.port,
        title='Spring City Cloud 泉城云',
        language=settings.default_language,  # type: ignore[arg-type]
        storage_secret=settings.storage_secret,
        reconnect_timeout=settings.reconnect_timeout,
        show=False,
        reload=False,
        favicon='💧',
    )


if __name__ in {'__main__', '__mp_main__'}:
    build()
    serve()
    if _failed:
        sys.exit(1)
