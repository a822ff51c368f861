"""The organizer console (desktop): list, create and edit performances, and run them: go live, banner, postpone."""

from collections.abc import Callable

from nicegui import ui

from models.accounts import Role
from models.shows import ShowInput, ShowPublic, ShowState
from services.errors import N_, NotFound
from services.events import DomainEvent
from services.shows import common, editing, lifecycle, posters, schedule
from services.shows.lifecycle import STATE_LABELS
from services.shows.viewers import counter
from views.kit import call, live
from views.kit.frame import StaffLink, add_staff_link, current_actor, page
from views.kit.i18n import _
from views.shows.figures import comments_panel, figures_panel, history_panel
from views.shows.widgets import badge, set_badge, title

S = ShowState
ORGANIZER_ROLES = (Role.organizer,)
TIME_HINT = N_('YYYY-MM-DD HH:MM, venue time (Beijing time)')


def show_form(initial: ShowInput) -> Callable[[], ShowInput]:
    """The create/edit form; returns a function that reads it."""
    with ui.grid(columns=2).classes('w-full gap-2'):
        title_zh = (
            ui.input(_('Title (Chinese)'), value=initial.title_zh)
            .props('outlined maxlength=120')
            .mark('scc-f-title-zh')
        )
        title_en = (
            ui.input(_('Title (English)'), value=initial.title_en)
            .props('outlined maxlength=120')
            .mark('scc-f-title-en')
        )
        desc_zh = ui.textarea(_('Description (Chinese)'), value=initial.description_zh).props('outlined maxlength=2000')
        desc_en = ui.textarea(_('Description (English)'), value=initial.description_en).props('outlined maxlength=2000')
        troupe = ui.input(_('Troupe'), value=initial.troupe).props('outlined maxlength=80').mark('scc-f-troupe')
        venue = ui.input(_('Venue'), value=initial.venue).props('outlined maxlength=120').mark('scc-f-venue')
        starts = (
            ui.input(_('Start'), value=initial.starts_local, placeholder='2026-12-01 19:30')
            .props('outlined')
            .mark('scc-f-start')
        )
        ends = (
            ui.input(_('End'), value=initial.ends_local, placeholder='2026-12-01 21:30')
            .props('outlined')
            .mark('scc-f-end')
        )
        stream = (
            ui.input(_('HLS stream URL'), value=initial.stream_url, placeholder='https://…/live.m3u8')
            .props('outlined maxlength=500')
            .mark('scc-f-stream')
        )
        replay = ui.input(_('Replay stream URL'), value=initial.replay_url).props('outlined maxlength=500')
    ui.label(_(TIME_HINT)).classes('text-xs text-gray-600')
    ui.label(_('Platform links')).classes('font-bold')
    rows: list[tuple[ui.input, ui.input]] = []
    box = ui.column().classes('w-full gap-1')

    def add_row(name: str = '', url: str = '') -> None:
        with box, ui.row().classes('w-full no-wrap gap-2'):
            rows.append(
                (
                    ui.input(_('Platform name'), value=name).props('outlined dense maxlength=40').classes('w-48'),
                    ui.input(_('Link (http:// or https://)'), value=url)
                    .props('outlined dense maxlength=500')
                    .classes('grow'),
                )
            )

    for name, url in initial.links or [('', '')]:
        add_row(name, url)
    ui.button(_('Add a link'), icon='add', on_click=lambda: add_row()).props('flat no-caps')

    def read() -> ShowInput:
        return ShowInput(
            title_zh=title_zh.value or '',
            title_en=title_en.value or '',
            description_zh=desc_zh.value or '',
            description_en=desc_en.value or '',
            troupe=troupe.value or '',
            venue=venue.value or '',
            starts_local=starts.value or '',
            ends_local=ends.value or '',
            stream_url=stream.value or '',
            replay_url=replay.value or '',
            links=[(n.value or '', u.value or '') for n, u in rows],
        )

    return read


def register() -> None:
    add_staff_link(StaffLink('/organizer/shows', N_('Performances'), 'theater_comedy', ORGANIZER_ROLES))

    @page('/organizer/shows', roles=ORGANIZER_ROLES, layout='staff')
    async def console_list() -> None:
        ui.label(_('Performances')).classes('text-2xl font-bold')
        ui.button(_('New performance'), icon='add', on_click=lambda: ui.navigate.to('/organizer/shows/new')).props(
            'unelevated no-caps'
        ).mark('scc-new-show')
        shows = await call.read(schedule.all_shows)
        with ui.column().classes('w-full gap-1'):
            for show in shows:
                with (
                    ui.row().classes('w-full items-center gap-3 border-b py-1 scc-console-row').mark('scc-console-row')
                ):
                    badge(show)
                    ui.link(title(show), f'/organizer/shows/{show.id}').classes('font-bold grow')
                    ui.label(show.troupe).classes('w-40')
                    ui.label(editing.format_venue_time(show.starts_at, show.timezone)).classes('w-40 font-mono')

    @page('/organizer/shows/new', roles=ORGANIZER_ROLES, layout='staff')
    async def console_new() -> None:
        actor = current_actor()
        ui.label(_('New performance')).classes('text-2xl font-bold')
        read = show_form(ShowInput())

        async def create() -> None:
            created = await call.attempt(editing.create_show, actor=actor, data=read())
            if created is not None:
                ui.notify(_('Performance created.'), type='positive')
                ui.navigate.to(f'/organizer/shows/{created.id}')

        ui.button(_('Create'), on_click=create).props('unelevated no-caps').mark('scc-f-save')

    @page('/organizer/shows/{show_id}', roles=ORGANIZER_ROLES, layout='staff')
    async def console_show(show_id: int) -> None:
        actor = current_actor()
        try:
            show = await call.read(editing.get_show, show_id=show_id)
        except NotFound:
            ui.label(_('No such performance.'))
            return
        state = {'show': show}
        with ui.row().classes('items-center gap-3'):
            state_badge = badge(show)
            heading = ui.label(title(show)).classes('text-2xl font-bold')
        await controls(actor, state, state_badge)
        with ui.expansion(_('Details'), icon='edit').classes('w-full border rounded'):
            read = show_form(editing.input_of(show))

            async def save() -> None:
                if await call.attempt(editing.update_show, actor=actor, show_id=show_id, data=read()) is not None:
                    ui.notify(_('Saved.'), type='positive')

            ui.button(_('Save'), on_click=save).props('unelevated no-caps').mark('scc-f-save')
        with ui.expansion(_('Poster'), icon='image').classes('w-full border rounded'):

            async def upload(event) -> None:  # type: ignore[no-untyped-def]
                data = await event.file.read()
                if await call.attempt(posters.set_poster, actor=actor, show_id=show_id, data=data) is not None:
                    ui.notify(_('Poster saved.'), type='positive')
                event.sender.reset()

            ui.label(_('JPEG, PNG, WebP or GIF, at most 5 MB.')).classes('text-sm')
            ui.upload(
                on_upload=upload,
                auto_upload=True,
                max_file_size=posters.MAX_BYTES,
                on_rejected=lambda: ui.notify(_('The poster may be at most {limit} MB.', limit=5), type='negative'),
            ).props('accept=image/*').mark('scc-poster-upload')
        await figures_panel(actor, show_id)
        await comments_panel(actor, show_id)
        await history_panel(show_id)

        def changed(event: DomainEvent) -> None:
            current = ShowPublic.model_validate(event.data['show'])
            state['show'] = current
            set_badge(state_badge, current)
            heading.text = title(current)

        live.on(common.SHOW_CHANGED, changed, key=str(show_id))


async def controls(actor, state: dict[str, ShowPublic], state_badge: ui.label) -> None:  # type: ignore[no-untyped-def]
    """The one go-live switch, the banner switch, and the other moves of the state machine."""
    show_id = state['show'].id
    guard = {'busy': False}
    with ui.card().classes('w-full'), ui.row().classes('items-center gap-4 flex-wrap'):

        async def flip_live(event) -> None:  # type: ignore[no-untyped-def]
            if guard['busy']:
                return
            current = state['show']
            if event.value and current.state is not S.live:
                result = await call.attempt(lifecycle.go_live, actor=actor, show_id=show_id)
            elif not event.value and current.state is S.live:
                result = await call.attempt(lifecycle.end_show, actor=actor, show_id=show_id)
            else:
                return
            if result is None:
                guard['busy'] = True
                live_switch.value = current.state is S.live
                guard['busy'] = False

        async def flip_banner(event) -> None:  # type: ignore[no-untyped-def]
            if guard['busy'] or bool(event.value) == state['show'].banner:
                return
            if await call.attempt(lifecycle.set_banner, actor=actor, show_id=show_id, raised=bool(event.value)) is None:
                guard['busy'] = True
                banner_switch.value = state['show'].banner
                guard['busy'] = False

        live_switch = (
            ui.switch(_('Live'), value=state['show'].state is S.live, on_change=flip_live)
            .props('color=red size=xl')
            .classes('text-lg font-bold scc-golive')
            .mark('scc-golive')
        )
        banner_switch = (
            ui.switch(_('Technical difficulties banner'), value=state['show'].banner, on_change=flip_banner)
            .classes('scc-banner-switch')
            .mark('scc-banner-switch')
        )

        async def move(fn, **kwargs) -> None:  # type: ignore[no-untyped-def]
            if await call.attempt(fn, actor=actor, show_id=show_id, **kwargs) is not None:
                ui.notify(_('Done.'), type='positive')

        ui.button(_('Starting soon'), on_click=lambda: move(lifecycle.mark_starting_soon)).props('outline no-caps')
        ui.button(_('Publish replay'), on_click=lambda: move(lifecycle.publish_replay)).props('outline no-caps')
        with ui.dialog() as postpone_dialog, ui.card():
            ui.label(_('Postpone')).classes('text-lg font-bold')
            new_start = ui.input(_('New start'), placeholder='2026-12-01 19:30').props('outlined').mark('scc-pp-start')
            new_end = ui.input(_('New end'), placeholder='2026-12-01 21:30').props('outlined').mark('scc-pp-end')
            ui.label(_(TIME_HINT)).classes('text-xs text-gray-600')
            reason = ui.input(_('Reason')).props('outlined maxlength=300')

            async def postpone() -> None:
                if (
                    await call.attempt(
                        lifecycle.postpone,
                        actor=actor,
                        show_id=show_id,
                        starts_local=new_start.value or '',
                        ends_local=new_end.value or '',
                        reason=reason.value or '',
                    )
                    is not None
                ):
                    postpone_dialog.close()
                    ui.notify(_('Postponed.'), type='positive')

            ui.button(_('Postpone'), on_click=postpone).props('unelevated no-caps').mark('scc-pp-save')
        with ui.dialog() as cancel_dialog, ui.card():
            ui.label(_('Cancel the performance')).classes('text-lg font-bold')
            cancel_reason = (
                ui.input(_('Reason for cancelling')).props('outlined maxlength=300').mark('scc-cancel-reason')
            )

            async def cancel() -> None:
                if (
                    await call.attempt(lifecycle.cancel, actor=actor, show_id=show_id, reason=cancel_reason.value or '')
                    is not None
                ):
                    cancel_dialog.close()
                    ui.notify(_('Cancelled.'), type='positive')

            ui.button(_('Cancel the performance'), on_click=cancel).props('unelevated no-caps color=negative').mark(
                'scc-cancel-save'
            )
        ui.button(_('Postpone…'), on_click=postpone_dialog.open).props('outline no-caps').mark('scc-postpone')
        ui.button(_('Cancel…'), on_click=cancel_dialog.open).props('outline no-caps color=negative').mark('scc-cancel')
        viewers = ui.label().classes('text-sm scc-console-viewers').mark('scc-console-viewers')

        def show_viewers(event: DomainEvent | None = None) -> None:
            if event is not None:
                counter.heard(event)
            viewers.text = _('In the app now: {count} watching', count=counter.total(show_id))

        show_viewers()
        live.on(common.SHOW_VIEWERS, show_viewers)

    def changed(event: DomainEvent) -> None:
        current = ShowPublic.model_validate(event.data['show'])
        state['show'] = current
        guard['busy'] = True
        live_switch.value = current.state is S.live
        banner_switch.value = current.banner
        guard['busy'] = False

    live.on(common.SHOW_CHANGED, changed, key=str(show_id))


__all__ = ['STATE_LABELS', 'register']
