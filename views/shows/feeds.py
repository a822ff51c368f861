"""Show routes and process-wide work: .ics and JSON feeds, posters, the bundled player, the shows' periodic jobs
(viewer counts, "starting soon", viewer samples) and the reminders that reach residents on any page."""

import logging

from fastapi import Request, Response
from fastapi.responses import FileResponse
from nicegui import app, ui

from models.accounts import Role
from services.errors import NotFound
from services.shows import feeds, figures, lifecycle, posters
from services.shows.events import SHOW_REMINDER, SHOW_VIEWERS, ReminderDue
from services.shows.viewers import counter
from views.kit import background, call, live
from views.kit.frame import open_pages
from views.kit.i18n import _, pick

log = logging.getLogger(__name__)
COUNTS_EVERY = 1.0  # seconds: this process's viewer counts are published when they changed (at most every 2 s)
LIFECYCLE_EVERY = 5.0  # seconds: is a show due to start within 10 minutes? (a read; it writes only then)
SAMPLE_EVERY = 60.0  # seconds: the in-app viewers of live shows, once a minute


def publish_counts() -> None:
    """This process's open watch pages per show, to every process (when they changed, and as a heartbeat)."""
    counter.maybe_publish()


async def announce_starting_soon() -> None:
    """Shows within 10 minutes of their start become "starting soon", and their subscribers are reminded."""
    try:
        if await call.read(lifecycle.due_soon):
            await call.write(lifecycle.tick)
    except Exception:
        log.exception('the "starting soon" job failed')


async def sample_viewers() -> None:
    """Store the in-app viewers of every live show (the first process of each minute wins)."""
    try:
        await call.write(figures.sample_viewers, counts=counter.totals())
    except Exception:
        log.exception('the viewer sample failed')


def remind(due: ReminderDue) -> None:
    """Every open page of a resident named in the reminder shows it, whichever page of the app it is."""
    for client, actor in open_pages(due.accounts):
        if actor.role is not Role.resident:
            continue
        with client:
            name = pick(due.title_zh, due.title_en)
            text = (_('Starting in 10 minutes: {title}', title=name) if due.kind == 'soon'
                    else _('Live now: {title}', title=name))  # fmt: skip
            watch = {'label': _('Watch'), 'color': 'white',
                     ':handler': f'() => window.location.href = "/shows/{due.show_id}"'}  # fmt: skip
            ui.notify(text, type='warning', position='top', timeout=15000, multi_line=True, actions=[watch])


def register() -> None:
    """The feeds, posters, the bundled player, the jobs and listeners (before the pages: /shows/{id} comes later)."""
    live.listen(SHOW_VIEWERS, counter.heard)  # other processes' counts: for watch pages, the console, the sampler
    live.listen(SHOW_REMINDER, remind)
    background.every(COUNTS_EVERY, publish_counts, immediate=True)
    background.every(LIFECYCLE_EVERY, announce_starting_soon, immediate=True)
    background.every(SAMPLE_EVERY, sample_viewers, immediate=True)

    @app.get('/shows/feed.json')
    async def json_feed(request: Request) -> Response:
        body, etag = await call.read(feeds.json_feed, base_url=str(request.base_url))
        headers = {'ETag': etag, 'Cache-Control': 'public, max-age=30', 'Access-Control-Allow-Origin': '*'}
        if etag in [t.strip() for t in request.headers.get('if-none-match', '').split(',')]:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type='application/json; charset=utf-8', headers=headers)

    @app.get('/shows/calendar.ics')
    async def calendar(request: Request) -> Response:
        body = await call.read(feeds.calendar_feed, base_url=str(request.base_url))
        return Response(
            body,
            media_type='text/calendar; charset=utf-8',
            headers={'Content-Disposition': 'inline; filename="spring-city-shows.ics"'},
        )

    @app.get('/shows/{show_id}.ics')
    async def one_show(show_id: int, request: Request) -> Response:
        try:
            body = await call.read(feeds.show_ics, show_id=show_id, base_url=str(request.base_url))
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
