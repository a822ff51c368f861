"""An organizer changes only the shows they run: their own (created by them) and those given to them; admins all.
Every editing service is called as another organizer and refused; the console lists only the organizer's shows."""

from collections.abc import Callable
from typing import Any

import pytest
from nicegui.testing import User
from sqlmodel import select

from models.shows import Show, ShowChange, ShowComment, ShowOrganizer, ShowState
from services import db
from services.access import Actor
from services.errors import DomainError, Forbidden
from services.shows import comments, editing, figures, lifecycle, posters, team
from tests.support.actors import admin
from tests.support.pages import not_see, see, sign_in_staff
from tests.support.shows import form, live_show_id, make_show, organizer, other_organizer, resident
from tests.support.waits import wait_for

CSV = b'weibo,7000,90000\n'
# Every service that changes a show, as one call each (show_id: a live show of organizer1, comment_id: on it).
EDITS: dict[str, Callable[[Any, Actor, int, int], Any]] = {
    'update_show': lambda s, a, i, _c: editing.update_show(s, actor=a, show_id=i, data=form()),
    'go_live': lambda s, a, i, _c: lifecycle.go_live(s, actor=a, show_id=i),
    'mark_starting_soon': lambda s, a, i, _c: lifecycle.mark_starting_soon(s, actor=a, show_id=i),
    'end_show': lambda s, a, i, _c: lifecycle.end_show(s, actor=a, show_id=i),
    'publish_replay': lambda s, a, i, _c: lifecycle.publish_replay(s, actor=a, show_id=i, replay_url='/r.m3u8'),
    'postpone': lambda s, a, i, _c: lifecycle.postpone(
        s, actor=a, show_id=i, starts_local='2099-01-01 19:00', ends_local='2099-01-01 21:00'
    ),  # fmt: skip
    'cancel': lambda s, a, i, _c: lifecycle.cancel(s, actor=a, show_id=i, reason='不演了'),
    'set_banner': lambda s, a, i, _c: lifecycle.set_banner(s, actor=a, show_id=i, raised=True),
    'set_poster': lambda s, a, i, _c: posters.set_poster(s, actor=a, show_id=i, data=b'\x89PNG\r\n\x1a\n'),
    'add_figure': lambda s, a, i, _c: figures.add_figure(
        s, actor=a, show_id=i, platform='抖音', concurrent_peak=1, cumulative_views=2
    ),  # fmt: skip
    'import_csv': lambda s, a, i, _c: figures.import_csv(s, actor=a, show_id=i, data=CSV),
    'hide_comment': lambda s, a, _i, c: comments.hide_comment(s, actor=a, comment_id=c),
    'add_organizer': lambda s, a, i, _c: team.add_organizer(s, actor=a, show_id=i, username='organizer2'),
    'remove_organizer': lambda s, a, i, _c: team.remove_organizer(s, actor=a, show_id=i, account_id=1),
    'team': lambda s, a, i, _c: team.team(s, actor=a, show_id=i),
    'editable_show': lambda s, a, i, _c: team.editable_show(s, actor=a, show_id=i),
}


def changes(show_id: int) -> int:
    with db.read_session() as session:
        return len(session.exec(select(ShowChange.id).where(ShowChange.show_id == show_id)).all())


def a_comment(show_id: int, phone: str = '13800000001') -> int:
    with db.session_scope() as session:
        return comments.post_comment(session, actor=resident(phone), show_id=show_id, text='加油').id


@pytest.mark.parametrize('name', sorted(EDITS))
def test_another_organizer_is_refused_by_every_editing_service(name: str) -> None:
    show_id = make_show(ShowState.live)
    comment_id = a_comment(show_id)
    stranger = other_organizer()
    before = changes(show_id)
    with db.session_scope() as session, pytest.raises(Forbidden, match='organizers of this performance'):
        EDITS[name](session, stranger, show_id, comment_id)
    assert changes(show_id) == before
    with db.read_session() as session:
        assert session.get(Show, show_id).state is ShowState.live  # type: ignore[union-attr]
        assert not session.get(ShowComment, comment_id).hidden  # type: ignore[union-attr]


@pytest.mark.parametrize('name', ['go_live', 'end_show', 'cancel', 'set_banner', 'add_figure', 'hide_comment'])
def test_the_owner_a_co_organizer_and_an_admin_may(name: str) -> None:
    other_organizer()
    for who, phone in (('owner', '13800000001'), ('given', '13800000002'), ('admin', '13800000003')):
        show_id = make_show(ShowState.starting_soon if name == 'go_live' else ShowState.live)
        comment_id = a_comment(show_id, phone)  # one resident each: comments are rate-limited
        if who == 'given':
            with db.session_scope() as session:
                team.add_organizer(session, actor=organizer(), show_id=show_id, username='organizer2')
        acting = {'owner': organizer, 'given': other_organizer, 'admin': admin}[who]()
        with db.session_scope() as session:
            EDITS[name](session, acting, show_id, comment_id)


def test_only_the_owner_or_an_admin_changes_who_runs_a_show() -> None:
    show_id = make_show()
    helper = other_organizer()
    third = other_organizer('organizer3')
    with db.session_scope() as session:
        listed = team.add_organizer(session, actor=organizer(), show_id=show_id, username='organizer2')
    assert [(m.username, m.owner) for m in listed.members] == [('organizer1', True), ('organizer2', False)]
    with db.session_scope() as session, pytest.raises(Forbidden, match='owner'):  # a co-organizer runs, not gives
        team.add_organizer(session, actor=helper, show_id=show_id, username='organizer3')
    with db.session_scope() as session, pytest.raises(DomainError, match='no active organizer'):
        team.add_organizer(session, actor=organizer(), show_id=show_id, username='doctor1')
    with db.session_scope() as session:  # an admin may give it too, and twice is once
        team.add_organizer(session, actor=admin(), show_id=show_id, username='organizer3')
        team.add_organizer(session, actor=admin(), show_id=show_id, username='organizer3')
    with db.read_session() as session:
        assert len(session.exec(select(ShowOrganizer).where(ShowOrganizer.show_id == show_id)).all()) == 2
    with db.session_scope() as session:
        team.remove_organizer(session, actor=organizer(), show_id=show_id, account_id=third.account_id)
    with db.session_scope() as session, pytest.raises(Forbidden):
        lifecycle.cancel(session, actor=third, show_id=show_id, reason='x')


def test_the_console_lists_only_the_organizers_shows() -> None:
    mine = make_show()
    other = other_organizer()
    with db.session_scope() as session:
        theirs = editing.create_show(session, actor=other, data=form(title_en='Theirs')).id
        given = editing.create_show(session, actor=other, data=form(title_en='Given')).id
        team.add_organizer(session, actor=other, show_id=given, username='organizer1')
    with db.read_session() as session:
        ids = {s.id for s in team.my_shows(session, actor=organizer())}
        theirs_ids = {s.id for s in team.my_shows(session, actor=other)}
        every = {s.id for s in team.my_shows(session, actor=admin())}
    assert mine in ids and given in ids and theirs not in ids
    assert theirs_ids == {theirs, given}
    assert {mine, theirs, given} <= every


async def test_another_organizers_console_page_shows_nothing_of_the_show(user: User) -> None:
    show_id = live_show_id()  # organizer1's
    other_organizer()
    await sign_in_staff(user, 'organizer2')
    await user.open('/organizer/shows')
    await see(user, marker='scc-console-empty')
    await not_see(user, marker='scc-console-row')
    await user.open(f'/organizer/shows/{show_id}')
    await see(user, marker='scc-console-refused')
    await not_see(user, marker='scc-golive')
    await not_see(user, marker='scc-poster-upload')


async def test_the_owner_gives_a_show_on_the_console_page(user: User) -> None:
    show_id = live_show_id()
    helper = other_organizer()
    await sign_in_staff(user, 'organizer1')
    await user.open(f'/organizer/shows/{show_id}')
    user.find(marker='scc-team-name').type('organizer2')
    user.find(marker='scc-team-add').click()

    def given() -> bool:
        with db.read_session() as session:
            query = select(ShowOrganizer).where(ShowOrganizer.show_id == show_id,
                                                ShowOrganizer.account_id == helper.account_id)  # fmt: skip
            return session.exec(query).first() is not None

    await wait_for(given)
    await see(user, 'organizer2')
