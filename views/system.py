"""Operational routes: /healthz (200 when every part is up, 503 otherwise)."""

from fastapi.responses import JSONResponse
from nicegui import app, run

from services import health


def register() -> None:
    @app.get('/healthz')
    async def healthz() -> JSONResponse:
        report = await run.io_bound(health.report)  # pings block: off the event loop
        if report is None:  # the app is shutting down
            report = {'ok': False, 'stopping': True}
        return JSONResponse(report, status_code=200 if report['ok'] else 503, headers={'Cache-Control': 'no-store'})
