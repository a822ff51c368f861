"""Live pages: every open resident Home hears a new notice at once, and a closed page lets go of its subscriptions
(opening and closing many Homes leaves nothing behind)."""

import asyncio
import html
import re
from collections.abc import AsyncIterator, Callable

import pytest
from nicegui import Client, core, ui
from nicegui.testing import User

from models.common import utcnow
from models.notices import NoticePublic
from services.events import bus
from services.foundation.events import NOTICE_POSTED, NoticePosted
from tests.support.pages import more_users, see, sign_in_staff
from tests.support.pages import sign_in_resident as support_sign_in
from tests.support.waits import wait_for
from views.kit import live

PAGES = 30


@pytest.fixture
async def new_user(user: User) -> AsyncIterator[Callable[[], User]]:
    async with more_users(user) as make:
        yield make


async def sign_in_resident(user: User, phone: str) -> None:
    """The resident sign-in a person does, landing on Home."""
    await support_sign_in(user, phone)
    await see(user, '城市公告')  # on Home: the sign-in went through /auth/enter to "/"


def page_text(client: Client) -> str:
    """All text of one open page: labels, and HTML fragments (escaped) such as the Home's announcement list."""
    parts = []
    for element in list(client.elements.values()):
        if isinstance(element, ui.label):
            parts.append(element.text)
        elif isinstance(element, ui.html):
            parts.append(html.unescape(re.sub(r'<[^>]+>', '\n', element.content)))
    return '\n'.join(parts)


def close(client: Client) -> None:
    """What the browser does when the tab closes: its socket disconnects (the client is deleted after
    `reconnect_timeout`)."""
    for socket_id in list(client._socket_to_document_id):  # noqa: SLF001 — the simulated socket ids
        client.handle_disconnect(socket_id)


async def test_closed_home_pages_release_their_subscriptions(
    user: User,
    new_user: Callable[[], User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(core.app.config, 'reconnect_timeout', 0.05)  # the deployment waits longer; same path
    # Warm-up: the first Home of a process may start process-wide listeners (one per process, not one per page);
    # the baseline is taken after another resident's Home has opened and closed.
    other = new_user()
    await sign_in_resident(other, '13800000002')
    assert other.client is not None
    warm = other.client
    close(warm)
    await wait_for(lambda: warm.is_deleted, timeout=5)
    await asyncio.sleep(0.05)
    baseline = (live.subscriber_count(), live.event_count(), bus.handler_count(), len(Client.instances))
    resident = new_user()
    await sign_in_resident(resident, '13800000001')
    homes = [resident.client]
    for _ in range(PAGES - 1):  # the same resident opening Home in many tabs, one client each
        homes.append(await resident.open('/'))
    assert len({c.id for c in homes if c is not None}) == PAGES
    assert live.subscriber_count(NOTICE_POSTED) == PAGES
    assert bus.handler_count(NOTICE_POSTED) >= 1

    for client in homes:
        assert client is not None
        close(client)
    await wait_for(lambda: all(c is not None and c.is_deleted for c in homes), timeout=5)
    await asyncio.sleep(0.05)

    login_pages = len(Client.instances) - baseline[3]  # the sign-in page of this test is still open
    assert live.subscriber_count(NOTICE_POSTED) == 0
    assert (live.subscriber_count(), live.event_count(), bus.handler_count()) == baseline[:3]
    assert login_pages <= 1
    # and a notice posted now reaches nobody and breaks nothing
    bus.publish(
        NOTICE_POSTED,
        NoticePosted(
            notice=NoticePublic(
                id=1, title_zh='空', title_en='Empty', body_zh='', body_en='', urgent=False, created_at=utcnow()
            )
        ),
    )


async def test_a_notice_reaches_every_open_home_without_a_reload(user: User, new_user: Callable[[], User]) -> None:
    residents = [new_user() for _ in range(3)]
    homes: list[Client] = []
    for resident, phone in zip(residents, ['13800000001', '13800000002', '13800000003'], strict=True):
        await sign_in_resident(resident, phone)
        assert resident.client is not None
        homes.append(resident.client)
        homes.append(await resident.open('/'))  # a second tab
    assert live.subscriber_count(NOTICE_POSTED) == len(homes)

    admin = new_user()
    await sign_in_staff(admin, 'admin')
    await admin.open('/admin/notices')
    admin.find(marker='scc-title-zh').type('明日停水通知')
    admin.find(marker='scc-title-en').type('Water cut tomorrow')
    admin.find(marker='scc-body-zh').type('历下区明日 9 点至 12 点停水。')
    admin.find(marker='scc-body-en').type('No water in Lixia tomorrow from 9 to 12.')
    admin.find(marker='scc-post').click()

    # Residents read Chinese by default: the Chinese title appears on every open Home, without a reload.
    await wait_for(lambda: all('明日停水通知' in page_text(c) for c in homes), timeout=5)  # speed: bench/fanout.py
    assert all('历下区明日 9 点至 12 点停水。' in page_text(c) for c in homes)
