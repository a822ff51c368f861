"""Operational routes and jobs: /healthz (200 when every part is up, 503 otherwise), forgetting old action records."""

import logging

from fastapi.responses import JSONResponse
from nicegui import app, run

from services import health, idempotency
from views.kit import background, call

log = logging.getLogger(__name__)
PURGE_ACTIONS_EVERY = 6 * 3600.0  # seconds: action records are kept for two days (services.idempotency.KEEP)

_started = False


def mark_started() -> None:
    """Called at the end of main.py's start-up: migrations done, event bus connected, jobs running."""
    global _started
    _started = True


async def purge_action_records() -> None:
    """Forget the idempotency records of actions older than two days."""
    try:
        await call.write(idempotency.purge)
    except Exception:
        log.exception('purging action records failed')


def register() -> None:
    background.every(PURGE_ACTIONS_EVERY, purge_action_records)

    @app.get('/healthz')
    async def healthz() -> JSONResponse:
        if not _started:  # the server answers before start-up ends: not ready until the database and bus are
            return JSONResponse({'ok': False, 'starting': True}, status_code=503, headers={'Cache-Control': 'no-store'})
        report = await run.io_bound(health.report)  # pings block: off the event loop
        if report is None:  # the app is shutting down
            report = {'ok': False, 'stopping': True}
        return JSONResponse(report, status_code=200 if report['ok'] else 503, headers={'Cache-Control': 'no-store'})
