"""Spring City Cloud (泉城云): start the app — `make run`, or `.venv/bin/python main.py`."""

import gc
import logging

from nicegui import app, run, ui

import views
from services import bootstrap
from services.events import bus
from services.settings import settings
from views import background, system

# Open pages live for minutes: with 1,000 of them a full collection rescans ~40,000 elements (0.6–2.6 s here)
# and lands in the middle of a fan-out. Moving survivors into the permanent generation every few seconds keeps
# collections short; one full collection every few minutes returns what departed pages left in cycles.
GC_REFREEZE_S = 10.0
GC_FULL_COLLECT_S = 300.0

logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')


async def _startup() -> None:
    await run.io_bound(bootstrap.prepare_database)
    await bus.start(settings.redis_url, settings.event_channel)
    background.start_all()
    if settings.gc_freeze:
        gc.collect()
        gc.freeze()
        app.timer(GC_REFREEZE_S, gc.freeze, immediate=False)
        app.timer(GC_FULL_COLLECT_S, _full_collect, immediate=False)
    system.mark_started()


def _full_collect() -> None:
    # Frozen objects are never collected: give the cycles of departed pages back, then freeze again.
    gc.unfreeze()
    gc.collect()
    gc.freeze()


async def _shutdown() -> None:
    await bus.stop()


app.on_startup(_startup)
app.on_shutdown(_shutdown)
views.register_all()

if __name__ in {'__main__', '__mp_main__'}:
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
