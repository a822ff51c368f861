"""Routes for the benchmark scripts in bench/: sign a simulated browser in, trigger a scenario's change.

They are mounted only by bench/_app.py (never by main.py), and only with BENCH_MODE=true (`settings.bench_mode`,
default false), which only the bench scripts set, on a throw-away database in a temporary folder. They must never
run in production: `/_bench/login/{id}` signs anyone in as any account without a code or password. `register()`
therefore adds nothing at all unless bench mode is on, and logs a warning at start-up when it is.
"""

import logging
import re

from fastapi import HTTPException
from fastapi.responses import JSONResponse, RedirectResponse
from nicegui import app, run

from services import db
from services.access import load_actor
from services.foundation import sessions
from services.settings import settings

log = logging.getLogger(__name__)
SCENARIO_NAME = re.compile(r'^[a-z][a-z0-9_]{0,40}$')


def _open_session(account_id: int) -> str | None:
    """A session cookie's token for the account, as a real sign-in would give (None: no such active account)."""
    with db.session_scope() as session:
        actor = load_actor(session, account_id)
        return None if actor is None else sessions.open_session(session, actor=actor)[0]


def _run_trigger(scenario: str) -> str:
    from bench.fanout_scenarios import SCENARIOS

    return str(SCENARIOS[scenario].trigger())


def register() -> None:
    if not settings.bench_mode:
        return
    log.warning('BENCH_MODE is on: /_bench routes sign anyone in as any account. Never use this in production.')

    @app.get('/_bench/login/{account_id}')
    async def bench_login(account_id: int, next: str = '/') -> RedirectResponse:  # noqa: A002 — query parameter
        opened = await run.io_bound(_open_session, account_id)
        if opened is None:
            raise HTTPException(status_code=404, detail='no such active account')
        target = next if next.startswith('/') and not next.startswith('//') else '/'
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(sessions.COOKIE, opened, httponly=True, samesite='lax', path='/')
        return response

    @app.post('/_bench/trigger/{scenario}')
    async def bench_trigger(scenario: str) -> JSONResponse:
        if not SCENARIO_NAME.match(scenario):
            raise HTTPException(status_code=404, detail='no such scenario')
        try:
            marker = await run.io_bound(_run_trigger, scenario)
        except KeyError as error:
            raise HTTPException(status_code=404, detail='no such scenario') from error
        return JSONResponse({'scenario': scenario, 'marker': marker})
