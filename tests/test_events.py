"""The in-process event bus: events leave a transaction only when it commits, reach only their listeners,
survive a failing listener, and arrive on the event loop even when published from a worker thread."""

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from nicegui import core, ui
from nicegui.testing import User
from sqlmodel import Session, select

from models.accounts import Account
from models.notices import Notice, NoticeCreate
from services import db
from services.access import Actor, load_actor
from services.events import DomainEvent, bus
from services.foundation import notices
from views.kit import live


@pytest.fixture
async def new_user(user: User) -> AsyncIterator[Callable[[], User]]:
    """More simulated users of the app that `user` started. (NiceGUI's `create_user` runs the app's start-up a
    second time in the same process, which the modules' start-up work does not expect.)"""
    clients: list[httpx.AsyncClient] = []

    def make() -> User:
        clients.append(httpx.AsyncClient(transport=httpx.ASGITransport(core.app), base_url='http://test'))
        return User(clients[-1])

    yield make
    for client in clients:
        await client.aclose()


def admin_actor(session: Session) -> Actor:
    account = session.exec(select(Account).where(Account.username == 'admin')).one()
    actor = load_actor(session, account.id)
    assert actor is not None
    return actor


def draft(title: str) -> NoticeCreate:
    return NoticeCreate(title_zh=f'{title} 中文', title_en=title, body_zh='正文', body_en='Text')


def notice_titles() -> list[str]:
    with db.read_session() as session:
        return [n.title_en for n in session.exec(select(Notice))]


@pytest.fixture
async def started_bus() -> AsyncIterator[None]:
    """The bus bound to this test's event loop, as the app binds it at start-up."""
    await bus.start()
    yield
    await bus.stop()


def test_notice_event_arrives_only_after_commit() -> None:
    received: list[tuple[str, list[str]]] = []
    # What a listener sees when the event arrives: the notice is already in the database for everyone.
    bus.subscribe(notices.NOTICE_POSTED, lambda e: received.append((e.data['notice']['title_en'], notice_titles())))
    with db.session_scope() as session:
        notices.post_notice(session, actor=admin_actor(session), notice=draft('Water cut in Lixia'))
        session.flush()
        assert received == []  # written, not committed: nobody hears of it yet
    assert len(received) == 1
    title, visible = received[0]
    assert title == 'Water cut in Lixia'
    assert 'Water cut in Lixia' in visible


def test_rollback_drops_staged_events() -> None:
    received: list[DomainEvent] = []
    bus.subscribe(notices.NOTICE_POSTED, received.append)
    with pytest.raises(RuntimeError), db.session_scope() as session:
        notices.post_notice(session, actor=admin_actor(session), notice=draft('Never posted'))
        raise RuntimeError('something later in the same unit of work failed')
    assert received == []
    assert 'Never posted' not in notice_titles()
    # The same session machinery works normally afterwards: nothing stale is published with the next commit.
    with db.session_scope() as session:
        notices.post_notice(session, actor=admin_actor(session), notice=draft('Posted'))
    assert [e.data['notice']['title_en'] for e in received] == ['Posted']


def test_savepoints_keep_or_drop_only_their_own_events() -> None:
    received: list[str] = []
    bus.subscribe('test.step', lambda e: received.append(e.data['step']))
    with db.session_scope() as session:
        bus.stage(session, 'test.step', step='before savepoint')
        with pytest.raises(ValueError), session.begin_nested():
            bus.stage(session, 'test.step', step='in rolled-back savepoint')
            raise ValueError('undo the savepoint only')
        with session.begin_nested():
            bus.stage(session, 'test.step', step='in released savepoint')
        assert received == []  # releasing a savepoint is not a commit
        bus.stage(session, 'test.step', step='after savepoints')
    assert received == ['before savepoint', 'in released savepoint', 'after savepoints']

    received.clear()
    with pytest.raises(RuntimeError), db.session_scope() as session:
        with session.begin_nested():
            bus.stage(session, 'test.step', step='released, then the whole transaction rolled back')
        raise RuntimeError('roll back everything')
    assert received == []


def test_only_listeners_of_the_event_name_are_called() -> None:
    posted: list[DomainEvent] = []
    other: list[DomainEvent] = []
    bus.subscribe(notices.NOTICE_POSTED, posted.append)
    unsubscribe = bus.subscribe('stock.changed', other.append)
    bus.publish(notices.NOTICE_POSTED, None, notice={'title_en': 'x'})
    assert len(posted) == 1 and other == []
    bus.publish('stock.changed', 'pharmacy-1', left=3)
    assert len(other) == 1 and other[0].key == 'pharmacy-1' and other[0].data == {'left': 3}
    unsubscribe()
    bus.publish('stock.changed', 'pharmacy-1', left=2)
    assert len(other) == 1


def test_a_failing_listener_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    received: list[str] = []

    def broken(_event: DomainEvent) -> None:
        raise ZeroDivisionError('broken listener')

    bus.subscribe('test.ping', lambda e: received.append('first'))
    bus.subscribe('test.ping', broken)
    bus.subscribe('test.ping', lambda e: received.append('third'))
    with caplog.at_level(logging.ERROR, logger='services.events'):
        bus.publish('test.ping')
    assert received == ['first', 'third']
    assert any('event handler failed for test.ping' in r.getMessage() for r in caplog.records)


async def test_events_from_a_worker_thread_are_delivered_on_the_event_loop(started_bus: None) -> None:
    loop_thread = threading.get_ident()
    arrived = asyncio.Event()
    seen: list[tuple[int, str]] = []

    def handler(event: DomainEvent) -> None:
        seen.append((threading.get_ident(), event.data['notice']['title_en']))
        arrived.set()

    bus.subscribe(notices.NOTICE_POSTED, handler)

    def post_in_worker() -> int:  # what views.kit.call.write does: a unit of work in a worker thread
        with db.session_scope() as session:
            notices.post_notice(session, actor=admin_actor(session), notice=draft('From a worker'))
        return threading.get_ident()

    worker_thread = await asyncio.to_thread(post_in_worker)
    await asyncio.wait_for(arrived.wait(), timeout=2)
    assert worker_thread != loop_thread
    assert seen == [(loop_thread, 'From a worker')]


async def test_pages_hear_only_the_keys_they_subscribed_to(user: User, new_user: Callable[[], User]) -> None:
    @ui.page('/test/parcel/{key}')
    def parcel_page(key: str) -> None:
        log = ui.column()

        def show(event: DomainEvent) -> None:
            with log:
                ui.label(f'parcel {event.key} is {event.data["state"]}')

        live.on('parcel.changed', show, key=None if key == 'all' else key)

    alice, bob, desk = new_user(), new_user(), new_user()
    await alice.open('/test/parcel/A-1')
    await bob.open('/test/parcel/B-2')
    await desk.open('/test/parcel/all')
    assert live.subscriber_count('parcel.changed') == 3

    await asyncio.to_thread(bus.publish, 'parcel.changed', 'A-1', state='ready')
    await alice.should_see('parcel A-1 is ready')
    await desk.should_see('parcel A-1 is ready')
    await bob.should_not_see('parcel A-1 is ready', retries=5)

    bus.publish('parcel.changed', 'B-2', state='on its way')
    await bob.should_see('parcel B-2 is on its way')
    await desk.should_see('parcel B-2 is on its way')
    await alice.should_not_see('parcel B-2 is on its way', retries=5)
    bus.publish('parcel.other', 'A-1', state='elsewhere')
    await alice.should_not_see('parcel A-1 is elsewhere', retries=5)

    events_before = live.event_count()
    for person in (alice, bob, desk):
        assert person.client is not None
        person.client.delete()  # what NiceGUI does once a closed tab's reconnect time has passed
    assert live.subscriber_count('parcel.changed') == 0
    assert live.event_count() == events_before - 3  # per-key events do not pile up after their pages close
    assert bus.handler_count('parcel.changed') == 0


async def test_a_failing_page_handler_does_not_stop_other_pages(
    user: User,
    new_user: Callable[[], User],
    caplog: pytest.LogCaptureFixture,
) -> None:
    @ui.page('/test/fragile/{mode}')
    def fragile_page(mode: str) -> None:
        def show(event: DomainEvent) -> None:
            if mode == 'broken':
                raise ZeroDivisionError('this page breaks on every event')
            ui.label(f'heard {event.data["what"]}')

        live.on('test.fragile', show)

    broken, first, second = new_user(), new_user(), new_user()
    await first.open('/test/fragile/ok')
    await broken.open('/test/fragile/broken')
    await second.open('/test/fragile/ok')
    bus.publish('test.fragile', what='the siren test at noon')
    await first.should_see('heard the siren test at noon')
    await second.should_see('heard the siren test at noon')
    assert any('this page breaks on every event' in str(r.exc_info) for r in caplog.records if r.exc_info)
    caplog.clear()  # the error was expected: the `user` fixture fails a test on ERROR logs
