"""Every submitting action happens once: the same idempotency key gives the first result back (also to a twin that
runs at the same moment), a refused action leaves no key behind, keys are per account, and a button runs its action
once at a time."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from nicegui import ui
from nicegui.testing import User
from pydantic import BaseModel
from sqlmodel import func, select

from models.notices import Notice, NoticeCreate
from models.sessions import ActionRecord
from services import db, idempotency
from services.errors import DomainError
from services.foundation import notices
from tests.support.actors import actor, admin
from tests.support.pages import see
from views.kit.actions import ActionButton, new_key


class Posted(BaseModel):
    id: int


def post(key: str | None, title: str = 'Once') -> int:
    """Post a notice through `once`, as a page's button would."""
    boss = admin()
    with db.session_scope() as session:
        draft = NoticeCreate(title_zh=title, title_en=title, body_zh='正文', body_en='Text')

        def act() -> Posted:
            return Posted(id=notices.post_notice(session, actor=boss, notice=draft).id)

        return idempotency.once(session, actor=boss, action='test.post', key=key, result=Posted, run=act).id


def notices_titled(title: str) -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(Notice).where(Notice.title_en == title)).one()


def test_the_same_key_gives_the_first_result_and_does_nothing_twice() -> None:
    key = new_key()
    first = post(key)
    assert post(key) == first
    assert notices_titled('Once') == 1
    assert post(new_key()) != first  # a new key is a new action
    assert notices_titled('Once') == 2
    assert post(None) and notices_titled('Once') == 3  # no key (a job, a script): acts every time


def test_a_refused_action_leaves_no_key_behind_and_may_be_tried_again() -> None:
    key = new_key()
    with pytest.raises(DomainError):
        post(key, title='')  # refused by the service: an empty title
    with db.read_session() as session:
        assert session.exec(select(ActionRecord).where(ActionRecord.key == key)).first() is None
    assert post(key, title='Second try')  # the same key, now valid
    assert notices_titled('Second try') == 1


def test_keys_are_per_account_and_a_malformed_key_is_refused() -> None:
    key = new_key()
    boss, other = admin(), actor(username='admin2')
    runs: list[str] = []
    for who in (boss, other):

        def mark(label: str = who.label) -> int:
            runs.append(label)
            return len(runs)

        with db.session_scope() as session:
            idempotency.once(session, actor=who, action='test.mark', key=key, result=int, run=mark)
    assert len(runs) == 2  # another account's key never replays this one's
    with pytest.raises(DomainError), db.session_scope() as session:
        idempotency.once(session, actor=boss, action='test.mark', key='short', result=int, run=lambda: 1)


def test_twins_at_the_same_moment_act_once() -> None:
    key = new_key()
    start = threading.Barrier(8)

    def twin() -> int:
        start.wait()
        return post(key, title='Twins')

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _i: twin(), range(8)))
    assert len(set(results)) == 1
    assert notices_titled('Twins') == 1


async def test_a_button_runs_its_action_once_at_a_time_and_a_new_key_after_success(user: User) -> None:
    keys: list[str] = []
    release = asyncio.Event()

    @ui.page('/test/action-button')
    def button_page() -> None:
        async def act(key: str) -> str:
            keys.append(key)
            await release.wait()
            return key

        ActionButton('Book', act, name='scc-book')

    await user.open('/test/action-button')
    user.find(marker='scc-book').click()
    await asyncio.sleep(0.05)
    user.find(marker='scc-book').click()  # a double tap while the first still runs
    await asyncio.sleep(0.05)
    assert len(keys) == 1
    release.set()
    await asyncio.sleep(0.05)
    user.find(marker='scc-book').click()  # after the success: a new action, a new key
    await asyncio.sleep(0.05)
    assert len(keys) == 2 and keys[0] != keys[1]


async def test_a_destructive_action_asks_first(user: User) -> None:
    done: list[str] = []

    @ui.page('/test/ask-first')
    def ask_page() -> None:
        async def cancel(key: str) -> str:
            done.append(key)
            return key

        ActionButton('Cancel booking', cancel, name='scc-cancel', confirm='Cancel this booking?')

    await user.open('/test/ask-first')
    user.find(marker='scc-cancel').click()
    await see(user, 'Cancel this booking?')
    user.find(marker='scc-confirm-no').click()
    await asyncio.sleep(0.1)
    assert done == []
    user.find(marker='scc-cancel').click()
    await see(user, 'Cancel this booking?')
    user.find(marker='scc-confirm-yes').click()
    await asyncio.sleep(0.1)
    assert len(done) == 1


def test_a_refusal_caught_by_its_caller_still_leaves_no_key_behind() -> None:
    key = new_key()
    boss = admin()

    def refuse() -> int:
        raise DomainError('refused')

    # The caller catches the refusal (pytest.raises, inside) and commits the rest of its unit of work.
    with db.session_scope() as session, pytest.raises(DomainError):
        idempotency.once(session, actor=boss, action='test.caught', key=key, result=int, run=refuse)
    with db.session_scope() as session:
        assert idempotency.once(session, actor=boss, action='test.caught', key=key, result=int, run=lambda: 7) == 7
    with db.session_scope() as session:
        assert idempotency.once(session, actor=boss, action='test.caught', key=key, result=int, run=lambda: 8) == 7


async def test_a_double_tap_on_a_button_that_asks_first_asks_once(user: User) -> None:
    @ui.page('/test/ask-once')
    def ask_page() -> None:
        async def cancel(key: str) -> str:
            return key

        ActionButton('Cancel booking', cancel, name='scc-cancel', confirm='Cancel this booking?')

    await user.open('/test/ask-once')
    user.find(marker='scc-cancel').click()
    user.find(marker='scc-cancel').click()
    await see(user, 'Cancel this booking?')
    assert len(user.find(marker='scc-confirm-yes').elements) == 1
