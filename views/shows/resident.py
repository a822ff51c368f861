"""Residents' cloud performances (phone first): the schedule, the watch page, the "Live now" banner on Home."""

from nicegui import context, ui

from models.accounts import Role
from models.common import utcnow
from models.shows import ShowPublic, ShowState
from services.access import Actor
from services.errors import N_, NotFound
from services.shows import schedule
from services.shows.events import SHOW_CHANGED, ShowChanged
from views.kit import call, live
from views.kit.frame import ServiceTile, add_home_section, add_service_tile, current_actor, page
from views.kit.i18n import _
from views.shows.stream import ViewersLine
from views.shows.watch import ReminderRow, Status, comment_stream, platform_links
from views.shows.widgets import (
    badge,
    countdown,
    description,
    poster,
    times,
    title,
    troupe_and_venue,
    use_player,
)

S = ShowState
GROUPS = (
    ('live', N_('Live now')),
    ('today', N_('Today')),
    ('upcoming', N_('Upcoming')),
    ('past', N_('Past performances and replays')),
)


def show_card(show: ShowPublic) -> None:
    """One show in the schedule: poster, title, troupe, times, state, countdown or replay."""
    with (
        ui.link(target=f'/shows/{show.id}').classes('no-underline text-black w-full'),
        ui.card().classes('w-full p-2 scc-show-card').mark('scc-show-card'),
        ui.row().classes('w-full no-wrap gap-3 items-start'),
    ):
        poster(show, classes='w-20 h-20 rounded shrink-0')
        with ui.column().classes('gap-1 grow min-w-0'):
            with ui.row().classes('items-center gap-2'):
                badge(show)
                if show.banner:
                    ui.icon('warning', color='warning').tooltip(_('Technical difficulties'))
            ui.label(title(show)).classes('font-bold leading-tight scc-show-title').mark('scc-show-title')
            ui.label(troupe_and_venue(show)).classes('text-xs text-gray-700')
            times(show)
            if show.state in (S.scheduled, S.starting_soon, S.postponed):
                countdown(show)
            if show.state is S.cancelled and show.cancel_reason:
                ui.label(_('Cancelled: {reason}', reason=show.cancel_reason)).classes('text-xs text-red-800')
            if show.state is S.replay:
                ui.label(_('Watch the replay')).classes('text-sm text-primary font-bold')


async def live_now_section(actor: Actor) -> None:
    """Home: a red "Live now" banner while a show is live (appears and disappears without reload)."""
    shows = {s.id: s for s in await call.read(schedule.live_now)}

    @ui.refreshable
    def banner() -> None:
        for show in shows.values():
            with (
                ui.link(target=f'/shows/{show.id}').classes('no-underline w-full'),
                ui.card().classes('w-full bg-red-700 text-white p-3 scc-live-banner').mark('scc-live-banner'),
                ui.row().classes('items-center no-wrap gap-2'),
            ):
                ui.icon('live_tv', size='28px')
                with ui.column().classes('gap-0 min-w-0'):
                    ui.label(_('Live now')).classes('text-xs font-bold uppercase')
                    ui.label(title(show)).classes('font-bold')

    def changed(change: ShowChanged) -> None:
        show = change.show
        was_live = show.id in shows
        if show.state is S.live:
            shows[show.id] = show
        else:
            shows.pop(show.id, None)
        if was_live or show.state is S.live:
            banner.refresh()

    banner()
    live.on(SHOW_CHANGED, changed)


def register() -> None:
    """The resident pages, the Services tile and the Home section."""
    add_service_tile(
        ServiceTile('/shows', N_('Cloud performances'), N_('Watch Jinan troupes live from home'), 'theater_comedy', 40)
    )
    add_home_section(5, live_now_section)

    @page('/shows', roles=(Role.resident,))
    async def schedule_page() -> None:
        shows = {s.id: s for s in await call.read(schedule.current_shows)}
        ui.label(_('Cloud performances')).classes('text-xl font-bold')

        @ui.refreshable
        def groups() -> None:
            grouped = schedule.group(list(shows.values()), now=utcnow())
            for key, heading in GROUPS:
                items = getattr(grouped, key)
                if not items and key != 'upcoming':
                    continue
                ui.label(_(heading)).classes(f'text-lg font-bold mt-2 scc-group-{key}').mark(f'scc-group-{key}')
                if not items:
                    ui.label(_('Nothing announced yet.')).classes('text-gray-600')
                for show in items:
                    show_card(show)

        def changed(change: ShowChanged) -> None:
            shows[change.show.id] = change.show
            groups.refresh()

        groups()
        live.on(SHOW_CHANGED, changed)
        with ui.row().classes('gap-3 text-sm mt-2'):
            ui.link(_('Subscribe to the calendar'), '/shows/calendar.ics').props('target=_blank')
            ui.link(_('Open data (JSON)'), '/shows/feed.json').props('target=_blank')

    @page('/shows/{show_id}', roles=(Role.resident,))
    async def watch_page(show_id: int) -> None:
        actor = current_actor()
        assert actor is not None
        try:
            view = await call.read(schedule.watch_view, actor=actor, show_id=show_id)
            if view is None:
                return  # the page was given up while it loaded (the browser went away)
        except NotFound:
            ui.label(_('No such performance.')).classes('text-lg')
            ui.link(_('Back to the schedule'), '/shows')
            return
        show = view.show
        use_player()
        ui.link('← ' + _('Schedule'), '/shows').classes('text-sm')
        with ui.row().classes('w-full no-wrap gap-3 items-start'):
            poster(show, classes='w-24 h-24 rounded shrink-0')
            with ui.column().classes('gap-1 min-w-0'):
                state_badge = badge(show)
                ui.label(title(show)).classes('text-lg font-bold leading-tight')
                ui.label(troupe_and_venue(show)).classes('text-sm text-gray-700').mark('scc-troupe-venue')
        banner = (
            ui.label(_('Technical difficulties: we are working on it, please stay with us.'))
            .classes('w-full bg-amber-100 text-amber-900 border border-amber-400 rounded p-2 scc-banner')
            .mark('scc-banner')
        )
        banner.set_visibility(show.banner)

        status = Status(show, state_badge)
        viewers = ViewersLine(show_id)
        if description(show):
            ui.label(description(show)).classes('text-sm whitespace-pre-line')
        reminder = ReminderRow(actor, show, subscribed=view.subscribed)
        if show.links:
            ui.label(_('Also streamed on')).classes('font-bold')
            ui.html(platform_links(show), sanitize=False).classes(  # built from escaped text
                'flex flex-wrap gap-2'
            ).mark('scc-platform-links')

        def changed(change: ShowChanged) -> None:
            if banner.visible != change.show.banner:
                banner.set_visibility(change.show.banner)
            status.update(change.show)
            reminder.follow(change.show)

        live.on(SHOW_CHANGED, changed, key=show_id)
        context.client.on_connect(viewers.join)
        if context.client.has_socket_connection:
            viewers.join()  # connected while the page was built: that connection's handlers have run already
        context.client.on_disconnect(viewers.leave)
        await comment_stream(actor, show_id)
