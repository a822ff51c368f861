"""Pages through NiceGUI's simulated user: signing in, seeing, more users of the same app."""

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from nicegui import context, core
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from services.foundation.demo import DEMO_PASSWORD
from tests.support.actors import shift_codes

SEE_RETRIES = 40  # NiceGUI retries every 0.1 s: a live change may take up to 4 s on a loaded machine


async def see(user: User, *args: object, **kwargs: object) -> None:
    """Wait until the page shows it (text, marker, kind...)."""
    await user.should_see(*args, retries=SEE_RETRIES, **kwargs)  # type: ignore[call-overload]


async def not_see(user: User, *args: object, **kwargs: object) -> None:
    """Wait until the page no longer shows it."""
    await user.should_not_see(*args, retries=SEE_RETRIES, **kwargs)  # type: ignore[call-overload]


async def sign_in_resident(user: User, phone: str = '13800000001', *, landing_marker: str | None = None) -> None:
    """Sign in at /login with the one-time code shown in demo mode (waits for `landing_marker` if given)."""
    shift_codes(timedelta(minutes=2), phone)  # one code a minute per phone: earlier sign-ins must not hold us up
    await user.open('/login')
    user.find(marker='scc-phone').type(phone)
    user.find(marker='scc-ask').click()
    await see(user, marker='scc-demo-code')
    label = user.find(marker='scc-demo-code').elements.pop()
    match = re.search(r'\d{6}', label.text)  # type: ignore[attr-defined]
    assert match is not None
    user.find(marker='scc-code').type(match.group(0))
    user.find(marker='scc-submit').click()
    if landing_marker is not None:
        await see(user, marker=landing_marker)


async def sign_in_staff(user: User, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in at /staff/login; waits for the staff home."""
    await user.open('/staff/login')
    user.find(marker='scc-username').type(username)
    user.find(marker='scc-password').type(password)
    user.find(marker='scc-submit').click()
    await see(user, marker='scc-staff-home')


def choose(user: User, marker: str, option: str) -> None:
    """Open a select and click one of its options, as a person would."""
    user.find(marker=marker).click()
    UserInteraction(user, user.find(marker=marker).elements, option).click()


class _NavigateByPage:
    """`ui.navigate` for several simulated users: the user whose page the call runs in navigates.

    NiceGUI's simulated users share one `ui.navigate`, set to whichever user a test touched last; a navigation that
    a page starts after an await (sign-in goes through /auth/enter) would otherwise move another user's browser.
    """

    def __init__(self, users: list[User]) -> None:
        self.users = users

    def __getattr__(self, name: str) -> Any:
        try:
            client = context.client
        except RuntimeError:
            client = None
        owner = next((u for u in self.users if client is not None and u.client is client), self.users[-1])
        return getattr(owner.__dict__['own_navigate'], name)


def _navigate_by_page(users: list[User], new: User) -> None:
    users.append(new)
    new.__dict__['own_navigate'] = new.__dict__['navigate']
    new.__dict__['navigate'] = _NavigateByPage(users)


@asynccontextmanager
async def more_users(user: User) -> AsyncIterator[Callable[[], User]]:
    """More simulated users of the app that `user` started. (NiceGUI's `create_user` runs the app's start-up a
    second time in the same process, which the modules' start-up work does not expect.) Each navigates its own
    browser, whatever the test touched last."""
    clients: list[httpx.AsyncClient] = []
    users: list[User] = []
    if 'own_navigate' not in user.__dict__:
        _navigate_by_page(users, user)

    def make() -> User:
        clients.append(httpx.AsyncClient(transport=httpx.ASGITransport(core.app), base_url='http://test'))
        made = User(clients[-1])
        _navigate_by_page(users, made)
        return made

    try:
        yield make
    finally:
        for client in clients:
            await client.aclose()
