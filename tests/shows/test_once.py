"""Every submitting action on shows happens once: creating a show, posting a comment, cheering. The same key twice
(a retry after a dropped connection, a replayed request) returns the first result; two clicks make one row."""

import asyncio
import threading

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, func, select

from models.shows import Show, ShowComment, ShowState
from services import db
from services.errors import DomainError
from services.shows import comments, editing
from tests.support.pages import not_see, see, sign_in_resident, sign_in_staff
from tests.support.shows import HOME, form, live_show_id, make_show, organizer, other_organizer, resident
from tests.support.waits import wait_for

KEY = 'retry-key-0123456789'


def shows_titled(title: str) -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(Show).where(Show.title_en == title)).one()


def comments_of(show_id: int, text: str | None = None) -> int:
    query = select(func.count()).select_from(ShowComment).where(ShowComment.show_id == show_id)
    if text is not None:
        query = query.where(ShowComment.text == text)
    with db.read_session() as session:
        return session.exec(query).one()


def test_creating_a_show_twice_with_one_key_makes_one_show() -> None:
    data = form(title_en='Once only')
    with db.session_scope() as session:
        first = editing.create_show(session, actor=organizer(), data=data, key=KEY)
    with db.session_scope() as session:  # the retry: same key, same form
        again = editing.create_show(session, actor=organizer(), data=data, key=KEY)
    assert again.id == first.id and shows_titled('Once only') == 1
    with db.session_scope() as session:  # keys are per account: another organizer's same key is their own action
        theirs = editing.create_show(session, actor=other_organizer(), data=data, key=KEY)
    assert theirs.id != first.id and shows_titled('Once only') == 2
    with db.session_scope() as session:  # a new key is a new show
        editing.create_show(session, actor=organizer(), data=data, key=KEY + 'x')
    assert shows_titled('Once only') == 3


def test_retries_at_the_same_moment_make_one_show() -> None:
    """Four connections send one key at once (PostgreSQL: really concurrent; the twins wait on the key's row)."""
    data, who = form(title_en='At once'), organizer()
    barrier = threading.Barrier(4)
    ids: list[int] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        barrier.wait()
        try:
            with db.session_scope() as session:
                ids.append(editing.create_show(session, actor=who, data=data, key=KEY).id)
        except BaseException as error:  # noqa: BLE001 — collected, asserted below
            errors.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(ids) == 4 and len(set(ids)) == 1
    assert shows_titled('At once') == 1


def test_a_refused_create_keeps_its_key_free() -> None:
    with pytest.raises(DomainError, match='Title'), db.session_scope() as session:  # rolled back, as a page's is
        editing.create_show(session, actor=organizer(), data=form(title_en=''), key=KEY)
    with db.session_scope() as session:  # corrected and sent again with the same key: it happens now
        editing.create_show(session, actor=organizer(), data=form(title_en='Second try'), key=KEY)
    assert shows_titled('Second try') == 1


def test_a_comment_or_cheer_sent_twice_with_one_key_is_posted_once() -> None:
    show_id = make_show(ShowState.live)
    with db.session_scope() as session:
        first = comments.post_comment(session, actor=resident(), show_id=show_id, text='👏', key=KEY)
    with db.session_scope() as session:  # no "too fast": the retry gets the first comment back
        again = comments.post_comment(session, actor=resident(), show_id=show_id, text='👏', key=KEY)
    assert again.id == first.id and comments_of(show_id) == 1
    with pytest.raises(DomainError, match='too fast'), db.session_scope() as session:  # a new key: a new comment
        comments.post_comment(session, actor=resident(), show_id=show_id, text='再来', key=KEY + 'y')


def test_a_bad_key_is_refused() -> None:
    show_id = make_show(ShowState.live)
    with pytest.raises(DomainError, match='out of date'), db.session_scope() as session:
        comments.post_comment(session, actor=resident(), show_id=show_id, text='x', key='short')
    assert comments_of(show_id) == 0


async def test_a_double_click_on_create_makes_one_show(user: User) -> None:
    await sign_in_staff(user, 'organizer1')
    await user.open('/organizer/shows/new')
    data = form()
    user.find(marker='scc-f-title-zh').type('双击测试')
    user.find(marker='scc-f-title-en').type('Double click')
    user.find(marker='scc-f-troupe').type('山东省杂技团')
    user.find(marker='scc-f-venue').type('山东省会大剧院')
    user.find(marker='scc-f-start').type(data.starts_local)
    user.find(marker='scc-f-end').type(data.ends_local)
    user.find(marker='scc-f-save').click()
    user.find(marker='scc-f-save').click()
    await wait_for(lambda: user.back_history[-1].startswith('/organizer/shows/') and 'new' not in user.back_history[-1])
    await asyncio.sleep(0.3)  # a second create, had the click gone through, ends meanwhile
    assert shows_titled('Double click') == 1


async def test_a_double_tap_on_send_posts_one_comment(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    show_id = live_show_id()
    await user.open(f'/shows/{show_id}')
    user.find(marker='scc-comment-input').type('只发一次')
    user.find(marker='scc-comment-send').click()
    user.find(marker='scc-comment-send').click()
    await wait_for(lambda: comments_of(show_id, '只发一次') == 1)
    await not_see(user, '评论太快')  # the second tap is not a second comment refused as "too fast"
    await asyncio.sleep(0.3)
    assert comments_of(show_id, '只发一次') == 1


async def test_a_double_tap_on_a_cheer_posts_one_cheer(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    show_id = live_show_id()
    await user.open(f'/shows/{show_id}')
    await see(user, marker='scc-cheers')
    cheers = next(iter(user.find(marker='scc-cheers').elements))
    assert isinstance(cheers, ui.toggle)
    with user.client:  # type: ignore[union-attr]
        cheers.value = '🎉'  # the first tap
        await asyncio.sleep(0)  # its handler starts (and springs the toggle back)
        cheers.value = '🎉'  # the second tap, while the first is sent
    await wait_for(lambda: comments_of(show_id, '🎉') == 1)
    await not_see(user, '评论太快')
    await asyncio.sleep(0.3)
    with db.read_session() as session:
        rows = session.exec(select(ShowComment).where(ShowComment.show_id == show_id, col(ShowComment.text) == '🎉'))
        assert len(rows.all()) == 1
