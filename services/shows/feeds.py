"""Open feeds of the schedule: an .ics file per show, an iCalendar feed of all shows, and a JSON feed with an ETag."""

import hashlib
import json
from datetime import timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event
from sqlmodel import Session

from models.shows import ShowPublic, ShowState
from services.shows import common, schedule

PRODID = '-//Spring City Cloud//Cloud performances//EN'
S = ShowState


def _event(show: ShowPublic, base_url: str) -> Event:
    event = Event()
    event.add('uid', f'show-{show.id}@spring-city-cloud')
    event.add('summary', f'{show.title_zh} / {show.title_en}')
    description = '\n\n'.join(t for t in (show.description_zh, show.description_en) if t)
    if show.state is S.cancelled and show.cancel_reason:
        description = f'取消 Cancelled: {show.cancel_reason}\n\n{description}'
    event.add('description', f'{show.troupe}\n{description}'.strip())
    event.add('location', show.venue)
    event.add('dtstart', common.venue_time(show.starts_at, show.timezone))
    event.add('dtend', common.venue_time(show.ends_at, show.timezone))
    event.add('dtstamp', show.updated_at)
    event.add('last-modified', show.updated_at)
    event.add('sequence', show.version)
    event.add('status', 'CANCELLED' if show.state is S.cancelled else 'CONFIRMED')
    event.add('url', f'{base_url.rstrip("/")}/shows/{show.id}')
    if show.state not in (S.cancelled, S.ended, S.replay):
        alarm = Alarm()
        alarm.add('action', 'DISPLAY')
        alarm.add('description', show.title_zh)
        alarm.add('trigger', timedelta(minutes=-common.SOON_MINUTES))
        event.add_component(alarm)
    return event


def _calendar(shows: list[ShowPublic], base_url: str, name: str) -> bytes:
    calendar = Calendar()
    calendar.add('prodid', PRODID)
    calendar.add('version', '2.0')
    calendar.add('calscale', 'GREGORIAN')
    calendar.add('x-wr-calname', name)
    calendar.add('refresh-interval', timedelta(hours=1), parameters={'VALUE': 'DURATION'})
    for show in shows:
        calendar.add_component(_event(show, base_url))
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


def show_ics(session: Session, *, show_id: int, base_url: str) -> bytes:
    """One show as an iCalendar file (times in the venue's time zone, with a 10-minute alarm)."""
    show = common.to_public(session, common.load(session, show_id))
    return _calendar([show], base_url, show.title_zh)


def calendar_feed(session: Session, *, base_url: str) -> bytes:
    """Every current show as one subscribable iCalendar feed (cancelled shows say so)."""
    return _calendar(schedule.current_shows(session), base_url, '泉城云演出 Spring City Cloud performances')


def _entry(show: ShowPublic, base: str) -> dict[str, Any]:
    return {
        'id': show.id,
        'title': {'zh': show.title_zh, 'en': show.title_en},
        'description': {'zh': show.description_zh, 'en': show.description_en},
        'troupe': show.troupe,
        'venue': show.venue,
        'troupe_en': show.troupe_en or show.troupe,
        'venue_en': show.venue_en or show.venue,
        'timezone': show.timezone,
        'starts_at': show.starts_at.isoformat(),
        'ends_at': show.ends_at.isoformat(),
        'state': show.state.value,
        'technical_difficulties': show.banner,
        'cancel_reason': show.cancel_reason or None,
        'watch_url': f'{base}/shows/{show.id}',
        'ics_url': f'{base}/shows/{show.id}.ics',
        'poster_url': f'{base}/shows/poster/{show.poster}-large.jpg' if show.poster else None,
        'links': [{'name': link.name, 'url': link.url} for link in show.links],
        'version': show.version,
    }


def json_feed(session: Session, *, base_url: str) -> tuple[bytes, str]:
    """The schedule as JSON for media and aggregator apps, and its strong ETag (the same body, the same tag)."""
    base = base_url.rstrip('/')
    shows = schedule.current_shows(session)
    body = {
        'feed': 'spring-city-cloud/shows',
        'version': 1,
        'calendar_url': f'{base}/shows/calendar.ics',
        'shows': [_entry(show, base) for show in shows],
    }
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    return data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
