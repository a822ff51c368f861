"""Watch-page pieces: the status block updated in place, "Remind me", and the live comment stream.

Go-live reaches every open watch page at once, so its handler only changes elements that exist already
(text, props, visibility) and only when the value differs: creating elements costs far more per page.
"""

import html
from dataclasses import dataclass
from typing import Any

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from models.shows import ShowCommentPublic, ShowPublic, ShowState
from services.access import Actor
from services.shows import comments, reminders
from services.shows.common import venue_time
from services.shows.lifecycle import STATE_LABELS
from views.kit import browser, call
from views.kit.actions import ActionButton, new_key
from views.kit.i18n import _, language
from views.shows.stream import SHOWN, feed_for, stream_element
from views.shows.widgets import BADGE_BASE, BADGE_COLOURS, NO_STREAM, NOT_AVAILABLE

S = ShowState
COUNTING_DOWN = (S.scheduled, S.starting_soon, S.postponed)
PLAYABLE = (S.live, S.replay)
REMINDABLE = (S.scheduled, S.starting_soon, S.postponed)  # a reminder is for a show still to come


def _set_text(label: ui.label, text: str) -> None:
    if label.text != text:
        label.text = text


def _set_prop(element: ui.element, name: str, value: str) -> None:
    if element.props.get(name) != value:
        element.props[name] = value


def _show(element: ui.element, visible: bool) -> None:
    if element.visible != visible:
        element.set_visibility(visible)


@dataclass(frozen=True)
class Look:
    """Everything a watch page shows about a show's state, as text: computed once per show version and language."""

    badge: str
    badge_classes: str
    venue: str
    millis: str
    seconds: str
    counting: bool
    note: str
    note_classes: str
    playable: bool
    src: str


_looks: dict[tuple[int, int, str], Look] = {}


def look_of(show: ShowPublic) -> Look:
    """The Look of `show` for the current page's language (shared by every page reading that language)."""
    key = (show.id, show.version, language())
    look = _looks.get(key)
    if look is None:
        if len(_looks) > 512:
            _looks.clear()
        start, end = venue_time(show.starts_at, show.timezone), venue_time(show.ends_at, show.timezone)
        note, colour = '', 'text-orange-900'
        if show.state is S.postponed:
            note = _('Postponed to the time above.')
        elif show.state is S.cancelled:
            note, colour = _('Cancelled: {reason}', reason=show.cancel_reason), 'text-red-800'
        playable = show.state in PLAYABLE
        look = _looks[key] = Look(
            badge=_(STATE_LABELS[show.state]), badge_classes=f'{BADGE_BASE} {BADGE_COLOURS[show.state]}',
            venue=_('{start} – {end} venue time (Beijing time)', start=f'{start:%Y-%m-%d %H:%M}', end=f'{end:%H:%M}'),
            millis=str(int(show.starts_at.timestamp() * 1000)), seconds=f'{show.starts_at.timestamp():.0f}',
            counting=show.state in COUNTING_DOWN, note=note,
            note_classes=f'text-sm scc-status-note {colour}', playable=playable,
            src=(show.stream_url if show.state is S.live else show.replay_url) if playable else '',
        )  # fmt: skip
    return look


class Status:
    """The state badge, venue and local time, countdown, note and player of a watch page, updated in place."""

    def __init__(self, show: ShowPublic, badge: ui.label) -> None:
        self.badge = badge
        self.venue = ui.label().classes('text-sm scc-venue-time').mark('scc-venue-time')
        with ui.row().classes('gap-1 text-xs text-gray-600 items-center'):
            ui.label(_('Your time:'))
            self.local = ui.element('span')
        with ui.row().classes('gap-1 items-center text-sm') as self.countdown_row:
            ui.icon('schedule', size='18px')
            ui.label(_('Starts in'))
            self.countdown = browser.countdown(show.starts_at, classes='font-mono font-bold')
        self.note = ui.label().classes('text-sm scc-status-note').mark('scc-status-note')
        self.missing = ui.label(_(NO_STREAM)).classes('w-full rounded bg-gray-100 text-gray-900 p-3 text-sm')
        self.missing.mark('scc-stream-missing')  # live (or a replay) without a stream URL: no dead player
        with ui.element('div').classes('scc-player').mark('scc-player') as self.player:
            self.video = ui.element('video').props('controls playsinline autoplay muted').classes('scc-video')
            self.video.mark('scc-video')
            ui.label(_(NOT_AVAILABLE)).classes('scc-stream-na')
        self.last: Look | None = None
        self.update(show)

    def update(self, show: ShowPublic) -> None:
        """Change only what differs from what this page shows (a go-live touches three or four elements)."""
        look, last = look_of(show), self.last
        if last is look:
            return
        self.last = look
        if last is None or last.badge != look.badge:
            self.badge.text = look.badge
        if last is None or last.badge_classes != look.badge_classes:
            self.badge.classes(replace=look.badge_classes)
        _set_text(self.venue, look.venue)
        _set_prop(self.local, 'data-scc-local', look.millis)
        _set_prop(self.countdown, 'data-scc-until', look.seconds)
        _show(self.countdown_row, look.counting)
        _set_text(self.note, look.note)
        _show(self.note, bool(look.note))
        if look.note and (last is None or last.note_classes != look.note_classes):
            self.note.classes(replace=look.note_classes)
        _show(self.player, look.playable and bool(look.src))
        _show(self.missing, look.playable and not look.src)
        _set_prop(self.video, 'data-scc-src', look.src)


def platform_links(show: ShowPublic) -> str:
    """The platform links as plain anchors in one element (names escaped; URLs were checked to be http or https)."""
    return ''.join(
        f'<a class="scc-platform-link q-btn q-btn--outline q-btn--rectangle q-btn--actionable q-focusable q-hoverable '
        f'text-primary px-3 py-1 rounded border no-underline" href="{html.escape(link.url)}" target="_blank" '
        f'rel="noopener">{html.escape(link.name)} ↗</a>'
        for link in show.links
    )


class ReminderRow(ui.row):
    """ "Remind me" (only before the show: not while it is live, nor after) and "Add to calendar"."""

    def __init__(self, actor: Actor, show: ShowPublic, *, subscribed: bool) -> None:
        super().__init__()
        self.actor = actor
        self.show_id = show.id
        self.subscribed = subscribed
        self.classes('gap-2 items-center')
        with self:
            self.remind: ui.button | None = None
            if show.state in REMINDABLE:
                self.remind = ui.button(on_click=self.toggle).props('unelevated no-caps').classes('scc-remind')
                self.remind.mark('scc-remind')
                self._show_state()
            ui.button(_('Add to calendar'), icon='event').props(f'flat no-caps href=/shows/{show.id}.ics')

    def follow(self, show: ShowPublic) -> None:
        """Once the show is live (or over) there is nothing left to remind of: "Remind me" goes."""
        if self.remind is not None:
            _show(self.remind, show.state in REMINDABLE)

    def _show_state(self) -> None:
        if self.remind is not None:
            self.remind.text = _('Reminder on') if self.subscribed else _('Remind me')
            self.remind.props(f'icon={"notifications_active" if self.subscribed else "notifications"}')

    async def toggle(self) -> None:
        """Ask for the reminder, or stop it."""
        fn = reminders.unsubscribe if self.subscribed else reminders.subscribe
        result = await call.attempt(fn, actor=self.actor, show_id=self.show_id)
        if result is None:
            return
        self.subscribed = result
        self._show_state()
        ui.notify(_('We will remind you 10 minutes before and when it goes live.') if result else _('Reminder off.'))


async def comment_stream(actor: Actor, show_id: int) -> None:
    """The live cheers and comments: newest at the bottom; hidden ones vanish for everyone."""
    ui.label(_('Cheers and comments')).classes('font-bold mt-2')
    feed = feed_for(show_id)
    if not feed.loaded:
        feed.seed(await call.read(comments.recent_comments, show_id=show_id, limit=SHOWN))
    stream_element(feed)
    with ui.row().classes('w-full no-wrap gap-1 items-center'):
        text = (
            ui.input(placeholder=_('Say something (max. 140 characters)'))
            .props(f'outlined dense maxlength={comments.MAX_LENGTH} counter')
            .classes('grow scc-comment-input')
            .mark('scc-comment-input')
        )

        async def send(key: str) -> ShowCommentPublic | None:
            posted = await call.attempt(comments.post_comment, actor=actor, show_id=show_id, text=text.value or '',
                                        key=key)  # fmt: skip
            if posted is not None:
                text.value = ''
            return posted

        # A double tap (or Enter and a tap) sends the same key twice: one comment (services.idempotency).
        button = ActionButton('', send, name='scc-comment-send', icon='send').props('round unelevated')

        async def enter() -> None:
            await button.press()  # Enter is the same tap: same key, ignored while a send runs

        text.on('keydown.enter', enter)

    cheers = CheerToggle(actor, show_id)
    cheers.classes('scc-cheers').mark('scc-cheers')


# Each cheer its own pill, apart from the next (a joined group of outlines read as one "好Bravo!" pill).


class CheerToggle(ui.toggle):
    """All cheers in one element (every element costs on every open page): a tap posts that cheer once — the toggle
    is disabled while it is sent and keeps its idempotency key until a cheer went through, like an ActionButton."""

    def __init__(self, actor: Actor, show_id: int) -> None:
        super().__init__(list(comments.CHEERS), on_change=self.cheer)
        # Each cheer as wide as its own text (`spread` gave five equal fifths of a phone: "Bravo!" spilled over "好!"),
        # and the row wraps rather than squeezing.
        self.props('outline dense no-caps rounded').classes('max-w-full')
        self.actor = actor
        self.show_id = show_id
        self.key = new_key()

    async def cheer(self, event: ValueChangeEventArguments[Any]) -> None:
        """Post the tapped cheer (the toggle springs back at once)."""
        if event.value is None or not self.enabled:
            return
        self.value = None
        self.disable()
        try:
            posted = await call.attempt(comments.post_comment, actor=self.actor, show_id=self.show_id,
                                        text=str(event.value), key=self.key)  # fmt: skip
            if posted is not None:
                self.key = new_key()
        finally:
            if not self.is_deleted:
                self.enable()
