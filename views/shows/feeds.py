"""Show routes and background work: .ics and JSON feeds, posters, the bundled player, the one app timer, reminders."""

import logging
import time
import weakref

from fastapi import Request, Response
from fastapi.responses import FileResponse
from nicegui import app, ui
from nicegui.client import Client

from models.accounts import Role
from services import db
from services.errors import NotFound
from services.events import DomainEvent, bus
from services.settings import ROOT
from services.shows import common, feeds, figures, lifecycle, posters
from services.shows.viewers import counter
from views.kit import background, call, live
from views.kit.frame import current_actor
from views.kit.i18n import _, is_zh
from views.shows.stream import viewer_display

log = logging.getLogger(__name__)
LIFECYCLE_EVERY = 5.0
SAMPLE_EVERY = 60.0
_hooked: weakref.WeakSet[Client] = weakref.WeakSet()
_last = {'lifecycle': 0.0, 'sample': 0.0}


def _read(fn, **kwargs):  # type: ignore[no-untyped-def]
    with db.read_session() as session:
        return fn(session, **kwargs)


async def tick() -> None:
    """The one app-level timer: viewer counts, "starting soon" and its reminders, once-a-minute viewer samples."""
    if not bus.is_subscribed(common.SHOW_VIEWERS, counter.heard):
        bus.subscribe(common.SHOW_VIEWERS, counter.heard)
    counter.maybe_publish()
    viewer_display.refresh()
    now = time.monotonic()
    try:
        if now - _last['lifecycle'] >= LIFECYCLE_EVERY:
            _last['lifecycle'] = now
            if await call.read(lifecycle.due_soon):
                await call.write(lifecycle.tick)
        if now - _last['sample'] >= SAMPLE_EVERY:
            _last['sample'] = now
            await call.write(figures.sample_viewers, counts=counter.totals())
    except Exception:
        log.exception('show timer failed')


def hook_reminders(client: Client) -> None:
    """Every connected resident page hears the reminders meant for its account (one subscription per page)."""
    if client in _hooked:
        return
    actor = current_actor()
    if actor is None or actor.role is not Role.resident:
        return
    _hooked.add(client)
    account_id = actor.account_id

    def remind(event: DomainEvent) -> None:
        if account_id not in event.data.get('accounts', []):
            return
        name = event.data.get('title_zh') if is_zh() else event.data.get('title_en')
        text = (
            _('Starting in 10 minutes: {title}', title=name)
            if event.data.get('kind') == 'soon'
            else _('Live now: {title}', title=name)
        )
        ui.notify(
            text,
            type='warning',
            position='top',
            timeout=15000,
            multi_line=True,
            actions=[
                {
                    'label': _('Watch'),
                    'color': 'white',
                    ':handler': f'() => window.location.href = "/shows/{int(event.data["show_id"])}"',
                }
            ],
        )

    with client:
        live.on(common.SHOW_REMINDER, remind)


def register() -> None:
    """The feeds, posters, the bundled player and the shows timer (before the pages: /shows/{id} comes later)."""
    app.add_static_file(
        local_file=ROOT / 'assets' / 'vendor' / 'hls.light.min.js', url_path='/assets/vendor/hls.light.min.js'
    )
    background.every(1.0, tick, immediate=True)
    app.on_connect(hook_reminders)

    @app.get('/shows/feed.json')
    async def json_feed(request: Request) -> Response:
        body, etag = await call.io(_feed, str(request.base_url))
        headers = {'ETag': etag, 'Cache-Control': 'public, max-age=30', 'Access-Control-Allow-Origin': '*'}
        if etag in [t.strip() for t in request.headers.get('if-none-match', '').split(',')]:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type='application/json; charset=utf-8', headers=headers)

    @app.get('/shows/calendar.ics')
    async def calendar(request: Request) -> Response:
        body = await call.io(_calendar, str(request.base_url))
        return Response(
            body,
            media_type='text/calendar; charset=utf-8',
            headers={'Content-Disposition': 'inline; filename="spring-city-shows.ics"'},
        )

    @app.get('/shows/{show_id}.ics')
    async def one_show(show_id: int, request: Request) -> Response:
        try:
            body = await call.io(_show_ics, show_id, str(request.base_url))
        except NotFound:
            return Response('no such performance', status_code=404, media_type='text/plain')
        return Response(
            body,
            media_type='text/calendar; charset=utf-8',
            headers={'Content-Disposition': f'attachment; filename="show-{show_id}.ics"'},
        )

    @app.get('/shows/poster/{name}')
    async def poster(name: str) -> Response:
        path = posters.poster_path(name)
        if path is None:
            return Response('not found', status_code=404, media_type='text/plain')
        return FileResponse(path, media_type='image/jpeg', headers={'Cache-Control': 'public, max-age=86400'})


def _feed(base_url: str) -> tuple[bytes, str]:
    return _read(feeds.json_feed, base_url=base_url)  # type: ignore[no-any-return]


def _calendar(base_url: str) -> bytes:
    return _read(feeds.calendar_feed, base_url=base_url)  # type: ignore[no-any-return]


def _show_ics(show_id: int, base_url: str) -> bytes:
    return _read(feeds.show_ics, show_id=show_id, base_url=base_url)  # type: ignore[no-any-return]
