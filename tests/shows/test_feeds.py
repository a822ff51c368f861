"""The open feeds, read the way calendar and aggregator apps read them: .ics for one show and for all
(parsed with the icalendar package), the JSON feed with its ETag, posters served by their route."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from nicegui.testing import User
from PIL import Image

from models.shows import ShowState
from services import db
from services.settings import settings
from services.shows import editing, feeds, lifecycle, posters
from tests.support.shows import make_show, organizer

BASE = 'http://test/'


def events_of(data: bytes) -> list:  # type: ignore[type-arg]
    return [c for c in Calendar.from_ical(data).walk() if c.name == 'VEVENT']


def test_one_show_as_ics_parses_with_times_in_venue_time() -> None:
    show_id = make_show(starts_in=timedelta(days=2))
    with db.read_session() as session:
        show = editing.get_show(session, show_id=show_id)
        data = feeds.show_ics(session, show_id=show_id, base_url=BASE)
    calendar = Calendar.from_ical(data)
    assert any(c.name == 'VTIMEZONE' and str(c['TZID']) == 'Asia/Shanghai' for c in calendar.walk())
    [event] = events_of(data)
    start = event.decoded('DTSTART')
    assert start == show.starts_at and str(start.tzinfo) == 'Asia/Shanghai'
    assert event.decoded('DTEND') == show.ends_at
    assert str(event['SUMMARY']) == '测试演出 / Test show'
    assert str(event['STATUS']) == 'CONFIRMED'
    assert str(event['URL']) == f'http://test/shows/{show_id}'
    assert [a.decoded('TRIGGER') for a in event.walk('VALARM')] == [timedelta(minutes=-10)]


def test_the_calendar_feed_has_every_show_and_says_cancelled() -> None:
    cancelled = make_show()
    with db.session_scope() as session:
        lifecycle.cancel(session, actor=organizer(), show_id=cancelled, reason='场地检修')
    with db.read_session() as session:
        data = feeds.calendar_feed(session, base_url=BASE)
    events = {str(e['UID']): e for e in events_of(data)}
    assert len(events) == 5 + 1  # the five demo shows and this one
    mine = events[f'show-{cancelled}@spring-city-cloud']
    assert str(mine['STATUS']) == 'CANCELLED' and '场地检修' in str(mine['DESCRIPTION'])
    assert int(mine['SEQUENCE']) >= 2


def test_the_json_feed_etag_changes_with_the_schedule_only() -> None:
    with db.read_session() as session:
        body, etag = feeds.json_feed(session, base_url=BASE)
        again, same = feeds.json_feed(session, base_url=BASE)
    assert body == again and etag == same
    feed = json.loads(body)
    live = [s for s in feed['shows'] if s['state'] == 'live']
    assert len(live) == 1 and live[0]['title']['zh'] == '吕剧《李二嫂改嫁》'
    assert {link['name'] for link in live[0]['links']} == {'抖音', '快手', '央视频', 'bilibili'}
    show_id = next(s['id'] for s in feed['shows'] if s['state'] == 'scheduled')
    with db.session_scope() as session:
        lifecycle.go_live(session, actor=organizer(), show_id=show_id)
    with db.read_session() as session:
        changed, new_etag = feeds.json_feed(session, base_url=BASE)
    assert new_etag != etag
    assert next(s for s in json.loads(changed)['shows'] if s['id'] == show_id)['state'] == 'live'


async def test_routes_answer_calendar_apps_and_aggregators(
    user: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    http = user.http_client
    response = await http.get('/shows/feed.json')
    assert response.status_code == 200 and response.headers['content-type'].startswith('application/json')
    etag = response.headers['etag']
    assert (await http.get('/shows/feed.json', headers={'If-None-Match': etag})).status_code == 304
    calendar = await http.get('/shows/calendar.ics')
    assert calendar.headers['content-type'].startswith('text/calendar')
    assert len(events_of(calendar.content)) == 5
    show_id = json.loads(response.content)['shows'][0]['id']
    one = await http.get(f'/shows/{show_id}.ics')
    assert one.headers['content-type'].startswith('text/calendar') and len(events_of(one.content)) == 1
    assert (await http.get('/shows/99999.ics')).status_code == 404
    monkeypatch.setattr(settings, 'data_dir', tmp_path)
    out = io.BytesIO()
    Image.new('RGB', (600, 900), (10, 110, 79)).save(out, 'PNG')
    with db.session_scope() as session:
        show = posters.set_poster(
            session, actor=organizer(), show_id=make_show(ShowState.scheduled), data=out.getvalue()
        )
    image = await http.get(f'/shows/poster/{show.poster}-small.jpg')
    assert image.status_code == 200 and image.headers['content-type'] == 'image/jpeg'
    assert (await http.get('/shows/poster/..%2F..%2Fspring-city.db')).status_code == 404
    player = await http.get('/assets/vendor/hls.light.min.js')
    assert player.status_code == 200 and len(player.content) > 100_000
