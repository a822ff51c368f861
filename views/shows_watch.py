"""Watch-page pieces: the status block updated in place, "Remind me", and the live comment stream.

Go-live reaches every open watch page at once, so its handler only changes elements that exist already
(text, props, visibility) and only when the value differs: creating elements costs far more per page.
"""

from typing import Any

from nicegui import ui

from models.shows import ShowPublic, ShowState
from services.events import DomainEvent
from services.shows import comments, reminders
from services.shows.common import venue_time
from views import call
from views.i18n import _
from views.shows_feed import SHOWN, feed_for, stream_element

S = ShowState
COMMENTS_SHOWN = 30
COUNTING_DOWN = (S.scheduled, S.starting_soon, S.postponed)
_parsed: list[tuple[DomainEvent, ShowPublic]] = []


def show_of(event: DomainEvent) -> ShowPublic:
    """The show carried by a `show.changed` event, validated once however many pages receive it."""
    if _parsed and _parsed[0][0] is event:
        return _parsed[0][1]
    show = ShowPublic.model_validate(event.data['show'])
    _parsed[:] = [(event, show)]
    return show


def _set_text(label: ui.label, text: str) -> None:
    if label.text != text:
        label.text = text


def _set_prop(element: ui.element, name: str, value: str) -> None:
    if element.props.get(name) != value:
        element.props[name] = value


def _show(element: ui.element, visible: bool) -> None:
    if element.visible != visible:
        element.set_visibility(visible)


class Status:
    """Venue time and the phone's own time, the countdown, and the postponed or cancelled note."""

    def __init__(self, show: ShowPublic) -> None:
        self.venue = ui.label().classes('text-sm scc-venue-time').mark('scc-venue-time')
        with ui.row().classes('gap-1 text-xs text-gray-600 items-center'):
            ui.label(_('Your time:'))
            self.local = ui.element('span')
        with ui.row().classes('gap-1 items-center text-sm') as self.countdown_row:
            ui.icon('schedule', size='18px')
            ui.label(_('Starts in'))
            self.countdown = ui.element('span').classes('font-mono font-bold scc-countdown')
            self.countdown.props['data-scc-day'] = _('d')  # the unit after the days: "2d 03:04:05"
        self.note = ui.label().classes('text-sm scc-status-note').mark('scc-status-note')
        self.update(show)

    def update(self, show: ShowPublic) -> None:
        """Change only what differs (most go-live updates touch two or three properties)."""
        start, end = venue_time(show.starts_at, show.timezone), venue_time(show.ends_at, show.timezone)
        _set_text(self.venue, _('{start} – {end} venue time (Beijing time)', start=f'{start:%Y-%m-%d %H:%M}',
                                end=f'{end:%H:%M}'))  # fmt: skip
        millis = str(int(show.starts_at.timestamp() * 1000))
        _set_prop(self.local, 'data-scc-local', millis)
        _show(self.countdown_row, show.state in COUNTING_DOWN)
        _set_prop(self.countdown, 'data-scc-countdown', millis)
        note = ''
        if show.state is S.postponed:
            note = _('Postponed to the time above.')
        elif show.state is S.cancelled:
            note = _('Cancelled: {reason}', reason=show.cancel_reason)
        _set_text(self.note, note)
        _show(self.note, bool(note))
        if note:
            colour = 'text-red-800' if show.state is S.cancelled else 'text-orange-900'
            self.note.classes(replace=f'text-sm scc-status-note {colour}')


def reminder_row(actor: Any, show: ShowPublic, *, subscribed: bool) -> None:
    """ "Remind me" and "Add to calendar"."""
    state = {'on': subscribed}
    with ui.row().classes('gap-2 items-center'):

        async def toggle() -> None:
            fn = reminders.unsubscribe if state['on'] else reminders.subscribe
            result = await call.attempt(fn, actor=actor, show_id=show.id)
            if result is None:
                return
            state['on'] = result
            remind.text = _('Reminder on') if result else _('Remind me')
            remind.props(f'icon={"notifications_active" if result else "notifications"}')
            ui.notify(
                _('We will remind you 10 minutes before and when it goes live.') if result else _('Reminder off.')
            )

        if show.state not in (S.ended, S.replay, S.cancelled):
            remind = (
                ui.button(
                    _('Reminder on') if state['on'] else _('Remind me'),
                    on_click=toggle,
                    icon='notifications_active' if state['on'] else 'notifications',
                )
                .props('unelevated no-caps')
                .classes('scc-remind')
                .mark('scc-remind')
            )
        ui.button(_('Add to calendar'), icon='event').props(f'flat no-caps href=/shows/{show.id}.ics')


async def comment_stream(actor: Any, show_id: int) -> None:
    """The live cheers and comments: newest at the bottom; hidden ones vanish for everyone."""
    ui.label(_('Cheers and comments')).classes('font-bold mt-2')
    feed = feed_for(show_id)
    if not feed.loaded:
        feed.seed(await call.read(comments.recent_comments, show_id=show_id, limit=SHOWN))
    stream_element(feed)
    with ui.row().classes('w-full no-wrap gap-1 items-center'):
        text = (
            ui.input(placeholder=_('Say something (max. 140 characters)'))
            .props('outlined dense maxlength=140 counter')
            .classes('grow scc-comment-input')
            .mark('scc-comment-input')
        )

        async def send(value: str | None = None) -> None:
            body = value if value is not None else (text.value or '')
            if (
                await call.attempt(comments.post_comment, actor=actor, show_id=show_id, text=body) is not None
                and value is None
            ):
                text.value = ''

        ui.button(icon='send', on_click=lambda: send()).props('round unelevated').classes('scc-comment-send').mark(
            'scc-comment-send'
        )
        text.on('keydown.enter', lambda: send())
    with ui.row().classes('gap-1 flex-wrap'):
        for cheer in comments.CHEERS:
            ui.button(cheer, on_click=lambda c=cheer: send(c)).props('outline dense no-caps rounded').classes(
                'scc-cheer'
            )
