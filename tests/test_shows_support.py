"""Helpers for the show tests: actors, a show in a given state, events caught from the bus."""

import asyncio
import re
import time
from datetime import datetime, timedelta

from nicegui.testing import User
from sqlmodel import Session, col, select

from models.accounts import Account
from models.common import utcnow
from models.shows import Show, ShowInput, ShowState
from services import db
from services.access import Actor, load_actor
from services.events import DomainEvent, bus
from services.foundation.demo import DEMO_PASSWORD
from services.shows import editing


def actor_by(session: Session, *, username: str | None = None, phone: str | None = None) -> Actor:
    query = (
        select(Account).where(Account.username == username)
        if username
        else select(Account).where(Account.phone == phone)
    )
    account = session.exec(query).one()
    actor = load_actor(session, account.id)
    assert actor is not None
    return actor


def organizer() -> Actor:
    with db.read_session() as session:
        return actor_by(session, username='organizer1')


def resident(phone: str = '13800000001') -> Actor:
    with db.read_session() as session:
        return actor_by(session, phone=phone)


def local(moment: datetime) -> str:
    """A moment as the organizer types it: venue time."""
    return editing.format_venue_time(moment)


def form(
    starts_in: timedelta = timedelta(days=1), length: timedelta = timedelta(hours=2), **overrides: object
) -> ShowInput:
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
    return ShowInput.model_validate(data)


def make_show(state: ShowState = ShowState.scheduled, *, starts_in: timedelta = timedelta(days=1),
              replay_url: str = '') -> int:  # fmt: skip
    """A show created through the service, then put into `state` directly (the way a test sets the scene)."""
    with db.session_scope() as session:
        show = editing.create_show(session, actor=organizer_in(session), data=form(starts_in=starts_in))
        row = session.get(Show, show.id)
        assert row is not None
        row.state = state
        row.replay_url = replay_url
        session.add(row)
        return show.id


def organizer_in(session: Session) -> Actor:
    return actor_by(session, username='organizer1')


def state_of(show_id: int) -> ShowState:
    with db.read_session() as session:
        row = session.get(Show, show_id)
        assert row is not None
        return row.state


class Caught:
    """Domain events of some names, as the bus delivered them."""

    def __init__(self, *names: str) -> None:
        self.events: list[DomainEvent] = []
        for name in names:
            bus.subscribe(name, self.events.append)

    def named(self, name: str) -> list[DomainEvent]:
        return [e for e in self.events if e.name == name]


async def wait_for(condition, message: str, timeout: float = 2.0) -> float:  # type: ignore[no-untyped-def]
    """Poll `condition` until it is true; return how long it took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(message)
        await asyncio.sleep(0.01)
    return time.monotonic() - start


async def sign_in_resident(user: User, phone: str = '13800000001') -> None:
    """Phone, ask for a code, type the demo code shown on screen."""
    await user.open('/login')
    user.find(marker='scc-phone').type(phone)
    user.find(marker='scc-ask').click()
    await user.should_see(marker='scc-demo-code')
    label = next(iter(user.find(marker='scc-demo-code').elements))
    match = re.search(r'\d{6}', getattr(label, 'text', ''))
    assert match, 'the demo code was not shown'
    user.find(marker='scc-code').type(match.group(0))
    user.find(marker='scc-submit').click()
    await wait_for(lambda: user.back_history[-1] == '/', 'the resident did not land on Home')


async def sign_in_staff(user: User, username: str = 'organizer1') -> None:
    await user.open('/staff/login')
    user.find(marker='scc-username').type(username)
    user.find(marker='scc-password').type(DEMO_PASSWORD)
    user.find(marker='scc-submit').click()
    await wait_for(lambda: user.back_history[-1] == '/staff', 'the staff member did not land on the staff home')


def live_show_id() -> int:
    with db.read_session() as session:
        show_id = session.exec(select(Show.id).where(Show.state == ShowState.live)).first()
    assert show_id is not None
    return show_id


def scheduled_show_id() -> int:
    with db.read_session() as session:
        show_id = session.exec(
            select(Show.id).where(Show.state == ShowState.scheduled).order_by(col(Show.starts_at))
        ).first()
    assert show_id is not None
    return show_id
