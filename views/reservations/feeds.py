"""Open data: live stock per store as JSON and GeoJSON with ETag; public lottery records; the periodic sweep
(no-shows, expired waitlist offers, due draws) as one app timer."""

import hashlib
import json
import logging
import time
from typing import Any

from fastapi import Request, Response
from nicegui import app

from services import db
from services.errors import NotFound
from services.reservations import lottery, release, reports
from views.kit import background, call

log = logging.getLogger(__name__)
SWEEP_EVERY = 15.0
CACHE_SECONDS = 1.0
_cache: dict[str, tuple[float, bytes, str]] = {}


def _stores() -> list[dict[str, Any]]:
    with db.read_session() as session:
        return reports.feed(session)


def _geojson(stores: list[dict[str, Any]]) -> dict[str, Any]:
    features = []
    for store in stores:
        properties = {k: v for k, v in store.items() if k not in ('lat', 'lon')}
        properties['remaining'] = sum(s['remaining'] for s in store['slots'])
        features.append(
            {
                'type': 'Feature',
                'geometry': {'type': 'Point', 'coordinates': [store['lon'], store['lat']]},
                'properties': properties,
            }
        )
    return {'type': 'FeatureCollection', 'features': features}


def build(kind: str) -> tuple[bytes, str]:
    """The feed body ('json' or 'geojson') and its ETag; rebuilt at most once a second."""
    cached = _cache.get(kind)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1], cached[2]
    stores = _stores()
    data: Any = {'stores': stores} if kind == 'json' else _geojson(stores)
    body = json.dumps(data, ensure_ascii=False, separators=(',', ':')).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    _cache[kind] = (time.monotonic(), body, etag)
    return body, etag


def _respond(request: Request, body: bytes, etag: str, media_type: str) -> Response:
    headers = {'ETag': etag, 'Cache-Control': 'public, max-age=1', 'Access-Control-Allow-Origin': '*'}
    if etag in [t.strip() for t in request.headers.get('if-none-match', '').split(',')]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _lottery_record(slot_id: int) -> dict[str, Any]:
    with db.read_session() as session:
        return lottery.record(session, slot_id=slot_id)


async def sweep_tick() -> None:
    """Release no-shows, expire waitlist offers, draw due lotteries (safe in several processes at once)."""
    try:
        await call.write(release.sweep)
    except Exception:
        log.exception('reservation sweep failed')


def register() -> None:
    background.every(SWEEP_EVERY, sweep_tick)

    @app.get('/api/reservations/stock.json')
    async def stock_json(request: Request) -> Response:
        body, etag = await call.io(build, 'json')
        return _respond(request, body, etag, 'application/json; charset=utf-8')

    @app.get('/api/reservations/stock.geojson')
    async def stock_geojson(request: Request) -> Response:
        body, etag = await call.io(build, 'geojson')
        return _respond(request, body, etag, 'application/geo+json; charset=utf-8')

    @app.get('/api/reservations/lottery/{slot_id}.json')
    async def lottery_json(slot_id: int) -> Response:
        try:
            record = await call.io(_lottery_record, slot_id)
        except NotFound:
            return Response('{"error": "no lottery for this slot"}', status_code=404, media_type='application/json')
        return Response(json.dumps(record), media_type='application/json', headers={'Access-Control-Allow-Origin': '*'})
