"""Spring City Cloud (泉城云): start the app — `make run`, or `.venv/bin/python main.py`."""

import gc
import logging

from nicegui import app, run, ui

import views
from services import bootstrap
from services.events import bus
from services.settings import settings

logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')


async def _startup() -> None:
    await run.io_bound(bootstrap.prepare_database)
    await bus.start(settings.redis_url, settings.event_channel)
    if settings.gc_freeze:
        # Objects alive after start-up live for ever: stop rescanning them, full collections get cheaper.
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
