"""The resident Home: greeting, city announcements (live), and what each module adds."""

import inspect
from datetime import datetime
from html import escape

from nicegui import ui

from models.accounts import Role
from models.notices import NoticePublic
from services.foundation import notices, people
from services.foundation.events import NOTICE_POSTED, NoticePosted
from views.kit import call, live
from views.kit.fmt import city_time
from views.kit.frame import HOME_SECTIONS, current_actor, page
from views.kit.i18n import _, language, pick

NOTICES_ON_HOME = 5
CLAMP_CHARS = 240  # a longer text is cut to a few lines on Home, with "more" leading to the announcements page


def notice_card(notice: NoticePublic) -> None:
    """One announcement, in the reader's language (text is escaped by ui.label)."""
    with ui.card().classes('w-full scc-notice' + (' border-l-4 border-red-700' if notice.urgent else '')):
        with ui.row().classes('items-center gap-2 no-wrap'):
            ui.icon('campaign', color='negative' if notice.urgent else 'primary')
            ui.label(pick(notice.title_zh, notice.title_en)).classes('font-bold scc-notice-title').mark(
                'scc-notice-title'
            )
        ui.label(pick(notice.body_zh, notice.body_en)).classes('text-sm whitespace-pre-line')
        ui.label(city_time(notice.created_at)).classes('text-xs text-gray-600')


_card_cache: dict[tuple[int, datetime, str], str] = {}


def notice_card_html(notice: NoticePublic) -> str:
    """The same card as `notice_card`, as escaped HTML: one element per list instead of six per card.

    A new announcement then costs each open Home one property update instead of rebuilding its cards, which
    keeps the fan-out to thousands of residents (and Python's garbage collector) near the floor.
    """
    key = (notice.id, notice.created_at, language())  # ids come back after a database reset (tests, a restore)
    cached = _card_cache.get(key)
    if cached is not None:
        return cached
    card = 'q-card nicegui-card w-full scc-notice' + (' border-l-4 border-red-700' if notice.urgent else '')
    icon = 'text-negative' if notice.urgent else 'text-primary'
    body = pick(notice.body_zh, notice.body_en)
    long = len(body) > CLAMP_CHARS or body.count('\n') > 5
    more = f'<a class="nicegui-link text-sm scc-notice-more" href="/notices">{escape(_("more"))}</a>' if long else ''
    cached = (
        f'<div class="{card}"><div class="nicegui-row items-center gap-2 no-wrap">'
        f'<i class="q-icon notranslate material-icons {icon}" aria-hidden="true" role="presentation">campaign</i>'
        f'<div class="nicegui-label font-bold scc-notice-title">{escape(pick(notice.title_zh, notice.title_en))}</div>'
        f'</div><div class="nicegui-label text-sm whitespace-pre-line{" scc-clamp" if long else ""}">{escape(body)}'
        f'</div>{more}<div class="nicegui-label text-xs text-gray-600">{escape(city_time(notice.created_at))}</div>'
        '</div>'
    )
    if len(_card_cache) > 512:
        _card_cache.clear()
    _card_cache[key] = cached
    return cached


def notice_list_html(items: list[NoticePublic]) -> str:
    """Announcements as HTML, newest first, or the empty note."""
    if not items:
        return f'<div class="nicegui-label text-gray-600">{escape(_("No announcements."))}</div>'
    return ''.join(notice_card_html(notice) for notice in items)


def register() -> None:
    @page('/', roles=(Role.resident,))
    async def home() -> None:
        actor = current_actor()
        assert actor is not None
        me = await call.read(people.my_person, actor=actor)  # their own name is theirs to see, unmasked
        ui.label(_('Hello, {name}', name=me.real_name if me else actor.label)).classes('text-xl font-bold')
        for _order, builder in HOME_SECTIONS:
            result = builder(actor)
            if inspect.isawaitable(result):
                await result
        ui.label(_('City announcements')).classes('text-lg font-bold mt-2')
        items = await call.read(notices.latest, limit=NOTICES_ON_HOME)

        notice_list = ui.html(notice_list_html(items), sanitize=False).classes('w-full column gap-3 scc-notices')
        ui.link(_('All announcements'), '/notices')

        def on_notice(posted: NoticePosted) -> None:
            notice = posted.notice
            items.insert(0, notice)
            del items[NOTICES_ON_HOME:]
            notice_list.content = notice_list_html(items)  # every text is escaped by notice_card_html
            ui.notify(pick(notice.title_zh, notice.title_en), type='warning' if notice.urgent else 'info',
                      position='top')  # fmt: skip

        live.on(NOTICE_POSTED, on_notice)

    @page('/notices', roles=(Role.resident,))
    async def all_notices(page_number: int = 1) -> None:
        page_size = 20
        items = await call.read(notices.latest, limit=page_size + 1, offset=(max(page_number, 1) - 1) * page_size)
        ui.label(_('City announcements')).classes('text-xl font-bold')
        for notice in items[:page_size]:
            notice_card(notice)
        with ui.row():
            if page_number > 1:
                ui.link(_('Newer'), f'/notices?page_number={page_number - 1}')
            if len(items) > page_size:
                ui.link(_('Older'), f'/notices?page_number={page_number + 1}')
