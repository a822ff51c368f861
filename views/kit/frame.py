"""The shared page frame: who is signed in, which language, the resident and staff layouts, refusals."""

import copy
import functools
import weakref
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse
from nicegui import app, context, ui
from nicegui.client import Client

from models.accounts import Role
from services.access import Actor
from services.errors import N_
from services.foundation import auth, sessions
from services.foundation.events import SESSIONS_ENDED, SessionsEnded
from services.i18n import normalize_language
from services.settings import settings
from views.kit import browser, call, live
from views.kit.i18n import _, language, set_language

_actors: weakref.WeakKeyDictionary[Client, Actor | None] = weakref.WeakKeyDictionary()
RESIDENT_TABS = [('/', 'home', N_('Home')), ('/code', 'qr_code_2', N_('Health code')),
                 ('/services', 'apps', N_('Services')), ('/me', 'person', N_('Me'))]  # fmt: skip


@dataclass(frozen=True)
class StaffLink:
    path: str
    label: str  # msgid
    icon: str
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class ServiceTile:
    path: str
    label: str  # msgid
    description: str  # msgid
    icon: str
    order: int = 50


STAFF_LINKS: list[StaffLink] = []
SERVICE_TILES: list[ServiceTile] = []
HOME_SECTIONS: list[tuple[int, Callable[[Actor], Awaitable[None] | None]]] = []


def add_staff_link(link: StaffLink) -> None:
    """Show a link in the staff header for its roles (idempotent: register() runs again in tests)."""
    if link not in STAFF_LINKS:
        STAFF_LINKS.append(link)


def add_service_tile(tile: ServiceTile) -> None:
    """Show a tile on the resident Services page."""
    if tile not in SERVICE_TILES:
        SERVICE_TILES.append(tile)
        SERVICE_TILES.sort(key=lambda t: t.order)


def add_home_section(order: int, builder: Callable[[Actor], Awaitable[None] | None]) -> None:
    """Add a section to the resident Home (builder runs inside the page, with the signed-in actor)."""
    # register() runs again when tests restart the app: the same section (module and name) replaces itself.
    key = f'{builder.__module__}.{builder.__qualname__}'
    HOME_SECTIONS[:] = [(o, b) for o, b in HOME_SECTIONS if f'{b.__module__}.{b.__qualname__}' != key]
    HOME_SECTIONS.append((order, builder))
    HOME_SECTIONS.sort(key=lambda item: item[0])


def open_pages(account_ids: Collection[int]) -> list[tuple[Client, Actor]]:
    """The open pages (clients) of these accounts in this process, with their actors."""
    wanted = set(account_ids)
    return [(client, actor) for client, actor in list(_actors.items())
            if actor is not None and actor.account_id in wanted and client.id in Client.instances]  # fmt: skip


def current_actor() -> Actor | None:
    """The signed-in actor of the page this runs in."""
    return _actors.get(context.client)


async def enter(actor: Actor, target: str) -> None:
    """After a verified sign-in: turn it into a session cookie (which only an HTTP response can set) and go on to
    `target` (a local path)."""
    chosen = app.storage.user.get('lang')
    if chosen and not actor.language:  # a language picked before signing in becomes the account's
        await call.write(auth.set_preferences, actor=actor, language=chosen)
    ticket = await call.write(sessions.issue_ticket, actor=actor)
    ui.navigate.to(f'/auth/enter?{urlencode({"ticket": ticket, "next": target})}')


def session_token(client: Client) -> str | None:
    """The session cookie this page was requested with."""
    request = client.request
    return request.cookies.get(sessions.COOKIE) if request is not None else None


def _follow_session(client: Client, actor: Actor) -> None:
    """End this page at once when its session ends (sign-out in another tab, the account disabled or changed)."""

    def ended(change: SessionsEnded) -> None:
        if change.session_id is not None and change.session_id != actor.session_id:
            return  # another browser of the same account signed out
        call.end_page(client)  # its next action is refused
        _actors[client] = None
        ui.navigate.to('/staff/login' if actor.is_staff else '/login')

    live.on(SESSIONS_ENDED, ended, key=actor.account_id)


def _apply_language(client: Client, lang: str) -> None:
    set_language(client, lang)
    # Quasar's language pack and <html lang> come from the page object: give this client its own copy.
    client.page = copy.copy(client.page)
    client.page.language = lang  # type: ignore[assignment]


PageBuilder = Callable[..., Awaitable[Any]]


def page(path: str, *, roles: tuple[Role, ...] | None = None, layout: str = 'resident',
         needs_profile: bool = True) -> Callable[[PageBuilder], PageBuilder]:  # fmt: skip
    """Register a page: checks the role (None: public), sets the language, builds the frame around it."""

    def decorator(build: PageBuilder) -> PageBuilder:
        @functools.wraps(build)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            client = context.client
            actor = await call.read(sessions.actor_for, token=session_token(client))
            lang = normalize_language(app.storage.user.get('lang') or (actor.language if actor else None),
                                      settings.default_language)  # fmt: skip
            _apply_language(client, lang)
            _actors[client] = actor
            if actor is not None:
                _follow_session(client, actor)
            if roles is not None:
                if actor is None:
                    target = '/staff/login' if layout == 'staff' else '/login'
                    return RedirectResponse(f'{target}?next={path}' if '{' not in path else target)
                if actor.role not in roles and not (actor.role is Role.admin and Role.admin in roles):
                    app.storage.user['refused'] = path
                    with frame(actor, layout='staff' if actor.is_staff else 'resident'):
                        refusal()
                    return None
                if needs_profile and actor.role is Role.resident and actor.person_id is None:
                    return RedirectResponse('/profile/complete')
            with frame(actor, layout=layout):
                return await build(*args, **kwargs)

        ui.page(path)(wrapper)
        return build

    return decorator


def refusal() -> None:
    """What a user sees on a page their role may not open: a refusal, not the data."""
    with ui.column().classes('w-full items-center p-8 gap-4 scc-refusal').mark('scc-refusal'):
        ui.icon('block', size='64px', color='negative')
        ui.label(_('Access refused')).classes('text-2xl font-bold')
        ui.label(_('Your role does not allow this page or action.')).classes('text-center')
        ui.button(_('Back to start'), on_click=lambda: ui.navigate.to('/')).props('unelevated')


async def toggle_language() -> None:
    """Switch the language of this browser (and remember it for the signed-in account), then show the page in it."""
    new = 'en-US' if language().startswith('zh') else 'zh-CN'
    app.storage.user['lang'] = new
    actor = current_actor()
    if actor is not None:
        await call.write(auth.set_preferences, actor=actor, language=new)
    ui.navigate.reload()


def _staff_menu(actor: Actor) -> None:
    """The staff links: a row on a wide screen, a menu behind one button on a phone or a narrow window."""
    links = [link for link in STAFF_LINKS if actor.role in link.roles or actor.role is Role.admin]
    with ui.row().classes('gap-1 items-center no-wrap max-xl:hidden'):
        for link in links:
            ui.button(_(link.label), icon=link.icon, on_click=lambda p=link.path: ui.navigate.to(p)).props(
                'flat dense no-caps color=white'
            )
    with (
        ui.button(icon='menu')
        .props(f'flat dense color=white aria-label="{_("Menu")}"')
        .classes('xl:hidden scc-staff-menu')
        .mark('scc-staff-menu'),
        ui.menu().classes('scc-staff-menu-items'),
    ):
        for link in links:
            with ui.menu_item(on_click=lambda p=link.path: ui.navigate.to(p)), ui.row().classes('items-center gap-3'):
                ui.icon(link.icon, color='primary')
                ui.label(_(link.label))


def frame(actor: Actor | None, *, layout: str) -> ui.column:
    """The page chrome: header, resident bottom navigation or staff links; returns the content column."""
    browser.use()  # the one script and stylesheet: fonts, clocks, sounds, the scanner
    ui.page_title(_('Spring City Cloud'))
    ui.colors(primary='#0b6e4f', secondary='#1d4ed8', accent='#b45309', positive='#15803d', negative='#b91c1c')
    large = bool(actor and actor.large_text) or bool(app.storage.user.get('large_text'))
    if large:
        ui.query('body').classes('scc-large')
    with ui.header().classes('bg-primary text-white items-center px-3 py-2 gap-2 no-wrap'):
        ui.link(_('Spring City Cloud'), '/staff' if layout == 'staff' else '/').classes(
            'text-lg font-bold text-white no-underline'
        )
        if layout == 'staff' and actor is not None:
            _staff_menu(actor)
        ui.space()
        ui.button('EN' if language().startswith('zh') else '中文', on_click=toggle_language).props(
            'flat dense no-caps color=white'
        ).classes('scc-lang').mark('scc-lang').tooltip(_('Switch language'))
        if layout == 'staff' and actor is not None:
            ui.label(actor.label).classes('text-sm max-sm:hidden')
            ui.button(icon='logout', on_click=lambda: ui.navigate.to('/logout')).props(
                f'flat dense color=white aria-label="{_("Sign out")}"'
            ).tooltip(_('Sign out')).mark('scc-sign-out')
    if layout == 'resident' and actor is not None:
        current = context.client.page.path
        with (
            ui.footer().classes('bg-white text-black border-t p-0'),
            ui.row().classes('w-full justify-around no-wrap py-1'),
        ):
            for target, icon, label in RESIDENT_TABS:
                active = ' active' if current == target else ''
                with ui.link(target=target).classes(f'scc-tab column items-center{active}'):
                    ui.icon(icon, size='26px')
                    ui.label(_(label)).classes('text-xs')
    width = 'max-w-[480px]' if layout == 'resident' else 'max-w-[1200px]'
    return ui.column().classes(f'scc-content w-full {width} mx-auto p-3 gap-3')
