"""The organizer console (desktop): list, create and edit performances, and run them: go live, banner, postpone."""

from collections.abc import Callable
from typing import Any

from nicegui import ui
from nicegui.events import UploadEventArguments, ValueChangeEventArguments

from models.accounts import Role
from models.shows import ShowCreate, ShowPublic, ShowState
from services.access import Actor
from services.errors import N_, DomainError
from services.settings import settings
from services.shows import editing, lifecycle, posters, team
from services.shows.events import SHOW_CHANGED, SHOW_VIEWERS, ShowChanged, ViewerCounts
from services.shows.viewers import counter
from views.kit import call, live
from views.kit.actions import ActionButton
from views.kit.frame import StaffLink, add_staff_link, current_actor, page
from views.kit.i18n import _, error_text
from views.shows.figures import comments_panel, figures_panel, history_panel
from views.shows.team import team_panel
from views.shows.widgets import badge, set_badge, title, uploader

S = ShowState
ORGANIZER_ROLES = (Role.organizer,)
TIME_HINT = N_('YYYY-MM-DD HH:MM, venue time (Beijing time)')
TIME_PROPS = f'outlined maxlength={editing.TIME_MAX}'


def required(label: str) -> str:
    """The label of a field the form cannot be saved without."""
    return f'{label} *'


def show_form(initial: ShowCreate) -> Callable[[], ShowCreate]:
    """The create/edit form; returns a function that reads it."""
    with ui.grid(columns=2).classes('w-full gap-2'):
        title_zh = (
            ui.input(required(_('Title (Chinese)')), value=initial.title_zh)
            .props(f'outlined maxlength={editing.TITLE_MAX}')
            .mark('scc-f-title-zh')
        )
        title_en = (
            ui.input(required(_('Title (English)')), value=initial.title_en)
            .props(f'outlined maxlength={editing.TITLE_MAX}')
            .mark('scc-f-title-en')
        )
        desc_zh = ui.textarea(_('Description (Chinese)'), value=initial.description_zh).props('outlined maxlength=2000')
        desc_en = ui.textarea(_('Description (English)'), value=initial.description_en).props('outlined maxlength=2000')
        troupe = (
            ui.input(required(_('Troupe (Chinese)')), value=initial.troupe)
            .props('outlined maxlength=80')
            .mark('scc-f-troupe')
        )
        troupe_en = (
            ui.input(_('Troupe (English)'), value=initial.troupe_en)
            .props('outlined maxlength=80')
            .mark('scc-f-troupe-en')
        )
        venue = (
            ui.input(required(_('Venue (Chinese)')), value=initial.venue)
            .props('outlined maxlength=120')
            .mark('scc-f-venue')
        )
        venue_en = (
            ui.input(_('Venue (English)'), value=initial.venue_en)
            .props('outlined maxlength=120')
            .mark('scc-f-venue-en')
        )
        starts = (
            ui.input(required(_('Start')), value=initial.starts_local, placeholder='2026-12-01 19:30')
            .props(TIME_PROPS)
            .mark('scc-f-start')
        )
        ends = (
            ui.input(required(_('End')), value=initial.ends_local, placeholder='2026-12-01 21:30')
            .props(TIME_PROPS)
            .mark('scc-f-end')
        )
        stream = (
            ui.input(_('HLS stream URL'), value=initial.stream_url, placeholder='https://…/live.m3u8')
            .props('outlined maxlength=500')
            .mark('scc-f-stream')
        )
        replay = ui.input(_('Replay stream URL'), value=initial.replay_url).props('outlined maxlength=500')
    ui.label(_(TIME_HINT)).classes('text-xs text-gray-600')
    ui.label(_('Fields marked * are required.')).classes('text-xs text-gray-600').mark('scc-f-required-hint')
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

    def read() -> ShowCreate:
        return ShowCreate(
            title_zh=title_zh.value or '',
            title_en=title_en.value or '',
            description_zh=desc_zh.value or '',
            description_en=desc_en.value or '',
            troupe=troupe.value or '',
            venue=venue.value or '',
            troupe_en=troupe_en.value or '',
            venue_en=venue_en.value or '',
            starts_local=starts.value or '',
            ends_local=ends.value or '',
            stream_url=stream.value or '',
            replay_url=replay.value or '',
            links=[(n.value or '', u.value or '') for n, u in rows],
        )

    return read


def register() -> None:
    """The organizer console: its link in the staff header and its pages."""
    add_staff_link(StaffLink('/organizer/shows', N_('Performances'), 'theater_comedy', ORGANIZER_ROLES))

    @page('/organizer/shows', roles=ORGANIZER_ROLES, layout='staff')
    async def console_list() -> None:
        ui.label(_('Performances')).classes('text-2xl font-bold')
        ui.button(_('New performance'), icon='add', on_click=lambda: ui.navigate.to('/organizer/shows/new')).props(
            'unelevated no-caps'
        ).mark('scc-new-show')
        actor = current_actor()
        assert actor is not None
        shows = await call.read(team.my_shows, actor=actor)  # only the shows this organizer runs (admins: all)
        if not shows:
            ui.label(_('You run no performances yet.')).classes('text-gray-600 scc-console-empty').mark(
                'scc-console-empty'
            )
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
        assert actor is not None
        ui.label(_('New performance')).classes('text-2xl font-bold')
        read = show_form(ShowCreate())

        async def create(key: str) -> ShowPublic | None:
            created = await call.attempt(editing.create_show, actor=actor, data=read(), key=key)
            if created is not None:
                ui.notify(_('Performance created.'), type='positive')
                ui.navigate.to(f'/organizer/shows/{created.id}')
            return created

        # A double click sends the same key twice: one show (services.idempotency).
        ActionButton(_('Create'), create, name='scc-f-save').props('unelevated no-caps')

    @page('/organizer/shows/{show_id}', roles=ORGANIZER_ROLES, layout='staff')
    async def console_show(show_id: int) -> None:
        actor = current_actor()
        assert actor is not None
        try:
            show = await call.read(team.editable_show, actor=actor, show_id=show_id)
        except DomainError as error:  # no such show, or another organizer's: nothing of it is shown
            ui.label(error_text(error)).classes('scc-console-refused').mark('scc-console-refused')
            return
        with ui.row().classes('items-center gap-3'):
            state_badge = badge(show)
            heading = ui.label(title(show)).classes('text-2xl font-bold')
        ShowControls(actor, show)
        with ui.expansion(_('Details'), icon='edit').classes('w-full border rounded'):
            read = show_form(editing.input_of(show))

            async def save() -> None:
                if await call.attempt(editing.update_show, actor=actor, show_id=show_id, data=read()) is not None:
                    ui.notify(_('Saved.'), type='positive')

            ui.button(_('Save'), on_click=save).props('unelevated no-caps').mark('scc-f-save')
        with ui.expansion(_('Poster'), icon='image').classes('w-full border rounded'):

            async def upload(event: UploadEventArguments) -> None:
                data = await event.file.read()
                if await call.attempt(posters.set_poster, actor=actor, show_id=show_id, data=data) is not None:
                    ui.notify(_('Poster saved.'), type='positive')
                if isinstance(event.sender, ui.upload):
                    event.sender.reset()

            ui.label(
                _('JPEG, PNG or WebP, at most {mb} MB and {mp} million pixels.', mb=posters.MAX_BYTES // 2**20,
                  mp=f'{settings.max_image_pixels / 1_000_000:g}')
            ).classes('text-sm')  # fmt: skip
            uploader(
                ui.upload(
                    label=_('Choose a poster image'),
                    on_upload=upload,
                    auto_upload=True,
                    max_file_size=posters.MAX_BYTES,
                    on_rejected=lambda: ui.notify(_('The poster may be at most {limit} MB.', limit=5), type='negative'),
                ).props('accept=image/jpeg,image/png,image/webp')
            ).classes('scc-poster-upload').mark('scc-poster-upload')
        await team_panel(actor, show_id)
        await figures_panel(actor, show_id)
        await comments_panel(actor, show_id)
        await history_panel(show_id)

        def changed(change: ShowChanged) -> None:
            set_badge(state_badge, change.show)
            heading.text = title(change.show)

        live.on(SHOW_CHANGED, changed, key=show_id)


class ShowControls(ui.card):
    """The one go-live switch, the banner switch, the other moves of the state machine, and the exact viewer count."""

    def __init__(self, actor: Actor, show: ShowPublic) -> None:
        super().__init__()
        self.actor = actor
        self.show = show
        self.show_id = show.id
        self.busy = False  # set while the switches are put back to what the show is (no new request)
        self.classes('w-full')
        with self, ui.row().classes('items-center gap-4 flex-wrap'):
            self.live_switch = (
                ui.switch(_('Live'), value=show.state is S.live, on_change=self.flip_live)
                .props('color=red size=xl')
                .classes('text-lg font-bold scc-golive')
                .mark('scc-golive')
            )
            self.banner_switch = (
                ui.switch(_('Technical difficulties banner'), value=show.banner, on_change=self.flip_banner)
                .classes('scc-banner-switch')
                .mark('scc-banner-switch')
            )
            ui.button(_('Starting soon'), on_click=lambda: self.step(lifecycle.mark_starting_soon)).props(
                'outline no-caps'
            )
            ui.button(_('Publish replay'), on_click=lambda: self.step(lifecycle.publish_replay)).props(
                'outline no-caps'
            )
            postpone_dialog = self._postpone_dialog()
            cancel_dialog = self._cancel_dialog()
            ui.button(_('Postpone…'), on_click=postpone_dialog.open).props('outline no-caps').mark('scc-postpone')
            ui.button(_('Cancel…'), on_click=cancel_dialog.open).props('outline no-caps color=negative').mark(
                'scc-cancel'
            )
            self.viewers = ui.label().classes('text-sm scc-console-viewers').mark('scc-console-viewers')
        self.show_viewers()
        live.on(SHOW_VIEWERS, self.show_viewers)
        live.on(SHOW_CHANGED, self.changed, key=self.show_id)

    def _postpone_dialog(self) -> ui.dialog:
        with ui.dialog() as dialog, ui.card():
            ui.label(_('Postpone')).classes('text-lg font-bold')
            new_start = ui.input(_('New start'), placeholder='2026-12-01 19:30').props(TIME_PROPS).mark('scc-pp-start')
            new_end = ui.input(_('New end'), placeholder='2026-12-01 21:30').props(TIME_PROPS).mark('scc-pp-end')
            ui.label(_(TIME_HINT)).classes('text-xs text-gray-600')
            reason = ui.input(_('Reason')).props(f'outlined maxlength={lifecycle.REASON_MAX}')

            async def postpone() -> None:
                done = await call.attempt(lifecycle.postpone, actor=self.actor, show_id=self.show_id,
                                          starts_local=new_start.value or '', ends_local=new_end.value or '',
                                          reason=reason.value or '')  # fmt: skip
                if done is not None:
                    dialog.close()
                    ui.notify(_('Postponed.'), type='positive')

            ui.button(_('Postpone'), on_click=postpone).props('unelevated no-caps').mark('scc-pp-save')
        return dialog

    def _cancel_dialog(self) -> ui.dialog:
        with ui.dialog() as dialog, ui.card():
            ui.label(_('Cancel the performance')).classes('text-lg font-bold')
            reason = (
                ui.input(_('Reason for cancelling'))
                .props(f'outlined maxlength={lifecycle.REASON_MAX}')
                .mark('scc-cancel-reason')
            )

            async def cancel() -> None:
                done = await call.attempt(lifecycle.cancel, actor=self.actor, show_id=self.show_id,
                                          reason=reason.value or '')  # fmt: skip
                if done is not None:
                    dialog.close()
                    ui.notify(_('Cancelled.'), type='positive')

            ui.button(_('Cancel the performance'), on_click=cancel).props('unelevated no-caps color=negative').mark(
                'scc-cancel-save'
            )
        return dialog

    def _put_back(self) -> None:
        self.busy = True
        self.live_switch.value = self.show.state is S.live
        self.banner_switch.value = self.show.banner
        self.busy = False

    async def flip_live(self, event: ValueChangeEventArguments[Any]) -> None:
        """The go-live switch: on goes live, off ends the show; a refusal puts the switch back."""
        if self.busy:
            return
        current = self.show
        if event.value and current.state is not S.live:
            result = await call.attempt(lifecycle.go_live, actor=self.actor, show_id=self.show_id)
        elif not event.value and current.state is S.live:
            result = await call.attempt(lifecycle.end_show, actor=self.actor, show_id=self.show_id)
        else:
            return
        if result is None:
            self._put_back()

    async def flip_banner(self, event: ValueChangeEventArguments[Any]) -> None:
        """Raise or clear the technical difficulties banner; a refusal puts the switch back."""
        if self.busy or bool(event.value) == self.show.banner:
            return
        raised = bool(event.value)
        if await call.attempt(lifecycle.set_banner, actor=self.actor, show_id=self.show_id, raised=raised) is None:
            self._put_back()

    async def step(self, fn: Callable[..., Any]) -> None:
        """Another move of the state machine (the service refuses what the table does not allow)."""
        if await call.attempt(fn, actor=self.actor, show_id=self.show_id) is not None:
            ui.notify(_('Done.'), type='positive')

    def show_viewers(self, _counts: ViewerCounts | None = None) -> None:
        """The exact in-app count (all processes)."""
        self.viewers.text = _('In the app now: {count} watching', count=counter.total(self.show_id))

    def changed(self, change: ShowChanged) -> None:
        """The show changed (here or elsewhere): the switches show what it is now."""
        self.show = change.show
        self._put_back()
