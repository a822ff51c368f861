"""Helpers for the show tests: actors, a show in a given state, typed events caught from the bus."""

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from models.accounts import Account, Role
from models.common import utcnow
from models.shows import Show, ShowCreate, ShowState
from services import db
from services.access import Actor
from services.events import DomainEvent, EventType, bus
from services.passwords import cached_hash
from services.shows import editing
from tests.support.actors import DEMO_PASSWORD, actor
from tests.support.rows import stored

HOME = 'scc-live-banner'  # the demo city has a show live: a resident's Home shows its banner (a landing marker)


def organizer() -> Actor:
    """The demo organizer."""
    return actor(username='organizer1')


def other_organizer(username: str = 'organizer2') -> Actor:
    """A second organizer account (the demo city has one): runs none of the demo shows."""
    with db.session_scope() as session:
        if session.exec(select(Account.id).where(Account.username == username)).first() is None:
            session.add(Account(role=Role.organizer, username=username, display_name=f'{username} Organizer',
                                password_hash=cached_hash(DEMO_PASSWORD)))  # fmt: skip
    return actor(username=username)


def resident(phone: str = '13800000001') -> Actor:
    """A demo resident."""
    return actor(phone=phone)


def local(moment: datetime) -> str:
    """A moment as the organizer types it: venue time."""
    return editing.format_venue_time(moment)


def form(
    starts_in: timedelta = timedelta(days=1), length: timedelta = timedelta(hours=2), **overrides: object
) -> ShowCreate:
    """The organizer's form for a test show, with `overrides`."""
    start = utcnow() + starts_in
    data: dict[str, object] = {
        'title_zh': '测试演出',
        'title_en': 'Test show',
        'troupe': '济南市吕剧院',
        'venue': '百花剧场',
        'starts_local': local(start),
        'ends_local': local(start + length),
        'stream_url': '/media/test/live.m3u8',
        'links': [('抖音', 'https://www.douyin.com/')],
    }
    data.update(overrides)
    return ShowCreate.model_validate(data)


def make_show(state: ShowState = ShowState.scheduled, *, starts_in: timedelta = timedelta(days=1),
              replay_url: str = '') -> int:  # fmt: skip
    """A show created through the service, then put into `state` directly (the way a test sets the scene)."""
    who = organizer()
    with db.session_scope() as session:
        show = editing.create_show(session, actor=who, data=form(starts_in=starts_in))
        row = session.get(Show, show.id)
        assert row is not None
        row.state = state
        row.replay_url = replay_url
        session.add(row)
        return show.id


def state_of(show_id: int) -> ShowState:
    """The show's state in the database."""
    return stored(Show, show_id).state


class Caught:
    """Domain events of some types, as the bus delivered them."""

    def __init__(self, *types: EventType[Any]) -> None:
        self.events: list[DomainEvent[Any]] = []
        for event_type in types:
            bus.subscribe(event_type, self.events.append)

    def payloads(self, event_type: EventType[Any] | None = None) -> list[Any]:
        """The typed payloads caught (of one type, or of all), in order."""
        return [e.payload for e in self.events if event_type is None or e.type is event_type]


def live_show_id() -> int:
    """The demo show that is live."""
    with db.read_session() as session:
        show_id = session.exec(select(Show.id).where(Show.state == ShowState.live)).first()
    assert show_id is not None
    return show_id


def scheduled_show_id() -> int:
    """The next scheduled demo show (京剧《锁麟囊》, later today)."""
    with db.read_session() as session:
        show_id = session.exec(
            select(Show.id).where(Show.state == ShowState.scheduled).order_by(col(Show.starts_at))
        ).first()
    assert show_id is not None
    return show_id
