"""Sessions: a new session at every sign-in (a value planted before it opens nothing), sign-out ends every open
page of that browser at once, the session cookie lives as long as the role's lifetime says, and a used or foreign
sign-in ticket opens nothing."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from nicegui import core
from nicegui.testing import User
from sqlmodel import select

from models.accounts import Role
from models.common import utcnow
from models.sessions import BrowserSession
from services import db
from services.foundation import sessions
from services.settings import settings
from tests.support.actors import actor
from tests.support.pages import see, sign_in_resident, sign_in_staff
from tests.support.waits import wait_for
from views.kit import call


def browser_with(cookies: dict[str, str]) -> httpx.AsyncClient:
    """Another browser, holding only these cookies."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(core.app), base_url='http://test', cookies=cookies)


async def test_a_session_cookie_planted_before_sign_in_opens_nothing_after_it(user: User) -> None:
    await user.open('/login')
    planted = user.http_client.cookies.get('session')  # what an attacker would have planted in the victim's browser
    assert planted
    await sign_in_resident(user, '13800000002')
    await see(user, '城市公告')
    assert user.http_client.cookies.get('session') != planted  # the browser id changed at sign-in
    async with browser_with({'session': planted}) as attacker:
        response = await attacker.get('/code', follow_redirects=False)
    assert response.status_code in (302, 303, 307) and '/login' in response.headers['location']


async def test_sign_out_in_one_tab_ends_the_open_page_of_another_at_once(user: User) -> None:
    await sign_in_resident(user, '13800000001')
    await see(user, '城市公告')
    await user.open('/code')
    await see(user, marker='scc-short-code')
    code_page = user.client
    assert code_page is not None
    other_tab = User(user.http_client)  # the same browser: the same cookies
    await other_tab.open('/logout')
    await see(other_tab, marker='scc-phone')
    # The open page heard of it at once (a real browser also goes to sign-in: tests/browser/test_foundation.py) ...
    await wait_for(lambda: call.is_ended(code_page), timeout=5)
    with code_page, pytest.raises(asyncio.CancelledError):  # ... and its next action is refused
        await call.write(sessions.issue_ticket, actor=actor(phone='13800000001'))
    async with browser_with(dict(user.http_client.cookies)) as same_cookies:  # the old cookie opens nothing either
        response = await same_cookies.get('/code', follow_redirects=False)
    assert '/login' in response.headers.get('location', '')


async def test_a_session_lasts_as_long_as_its_role_says(user: User) -> None:
    await sign_in_staff(user, 'gate1')
    with db.read_session() as session:
        row = session.exec(select(BrowserSession).order_by(BrowserSession.id.desc())).first()  # type: ignore[union-attr]
    assert row is not None
    staff_span = row.expires_at - row.created_at
    assert abs(staff_span - timedelta(hours=settings.session_hours_staff)) < timedelta(seconds=5)
    assert sessions.lifetime(Role.resident) == timedelta(days=settings.session_days_resident)
    with db.session_scope() as session:  # past its end, the cookie opens nothing
        row = session.get(BrowserSession, row.id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    response = await user.http_client.get('/checkpoint', follow_redirects=False)
    assert '/staff/login' in response.headers.get('location', '')


def test_a_sign_in_ticket_works_once_and_not_after_its_minute() -> None:
    gate = actor(username='gate1')
    with db.session_scope() as session:
        ticket = sessions.issue_ticket(session, actor=gate)
    with db.session_scope() as session:
        opened = sessions.redeem_ticket(session, ticket=ticket)
    assert opened is not None and opened[1].account_id == gate.account_id and opened[1].session_id is not None
    with db.session_scope() as session:
        assert sessions.redeem_ticket(session, ticket=ticket) is None  # used
        assert sessions.redeem_ticket(session, ticket='made-up') is None
        late = sessions.issue_ticket(session, actor=gate)
    with db.session_scope() as session:
        from models.sessions import SignInTicket

        for row in session.exec(select(SignInTicket)):
            row.expires_at = utcnow() - timedelta(seconds=1)
            session.add(row)
    with db.session_scope() as session:
        assert sessions.redeem_ticket(session, ticket=late) is None  # expired


async def test_an_old_sign_in_address_opened_again_goes_on_while_signed_in(user: User) -> None:
    await sign_in_resident(user, '13800000003')
    await see(user, '城市公告')
    entered = next(path for path in user.back_history if path.startswith('/auth/enter'))
    await user.open(entered)  # a reload of the sign-in address: the ticket is used, the session goes on
    await see(user, '城市公告')
    await user.open('/logout')
    await user.open(entered)  # signed out: the used ticket opens nothing
    await see(user, marker='scc-phone')


@pytest.mark.parametrize('change', ['disable', 'role'])
async def test_disabling_or_changing_an_account_ends_its_open_pages_at_once(user: User, change: str) -> None:
    from services.foundation import auth

    await sign_in_staff(user, 'gate1')
    await user.open('/checkpoint')
    gate_page = user.client
    assert gate_page is not None
    gate = actor(username='gate1')
    with db.session_scope() as session:  # the admin acts, somewhere else
        if change == 'disable':
            auth.set_active(session, actor=actor(username='admin'), account_id=gate.account_id, active=False)
        else:
            auth.change_role(session, actor=actor(username='admin'), account_id=gate.account_id, role='pharmacist')
    await wait_for(lambda: call.is_ended(gate_page), timeout=5)  # a checkpoint left open records nothing more
    with gate_page, pytest.raises(asyncio.CancelledError):
        await call.write(sessions.issue_ticket, actor=gate)
    response = await user.http_client.get('/checkpoint', follow_redirects=False)
    assert '/staff/login' in response.headers.get('location', '')  # the old cookie opens nothing any more
    with db.read_session() as session:
        open_rows = session.exec(select(BrowserSession).where(BrowserSession.account_id == gate.account_id,
                                                              BrowserSession.ended_at.is_(None))).all()  # type: ignore[union-attr]  # fmt: skip
    assert open_rows == []  # and its sessions are over: a role change asks for a new sign-in
