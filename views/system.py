"""Operational routes: /healthz."""

from fastapi.responses import JSONResponse
from nicegui import app, run

from services import health


def register() -> None:
    @app.get('/healthz')
    async def healthz() -> JSONResponse:
        report = await run.io_bound(health.report)
        return JSONResponse(report, status_code=200 if report and report['ok'] else 503)
