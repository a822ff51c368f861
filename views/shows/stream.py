"""Batched live values of a show: its comment stream, and the number of people watching in the app.

A burst of 100 comments a second must not cost 100 updates a second on every open watch page: comments
are collected per show and, FLUSH_DELAY after the first one, rendered once (escaped) and set on every page's
single stream element. A hidden comment leaves the stream at the next flush, for everyone.
"""

import asyncio
import html
import time
from collections import deque

from nicegui import Event, context, core, ui

from models.shows import CommentPublic
from services.events import DomainEvent, bus
from services.shows.common import SHOW_COMMENT
from services.shows.viewers import counter

FLUSH_DELAY = 0.25  # with few pages; more pages wait longer (PAGES_PER_SECOND), at most MAX_FLUSH_DELAY
PAGES_PER_SECOND = 2000  # page updates a second the comment stream of one show may cost
MAX_FLUSH_DELAY = 1.0
SHOWN = 100


class CommentFeed:
    """The last SHOWN visible comments of one show, and the stream elements of the pages that show them."""

    def __init__(self, show_id: int) -> None:
        self.show_id = show_id
        self.items: deque[CommentPublic] = deque(maxlen=SHOWN)
        self.loaded = False
        self.pages: list[ui.html] = []
        self.rendered = ''
        self._flush_pending = False

    def seed(self, recent: list[CommentPublic]) -> None:
        """The comments read from the database when the first page of this show opened in this process."""
        if not self.loaded:
            self.items.extend(c for c in recent if not c.hidden)
            self.loaded = True
            self.rendered = self.render()

    def render(self) -> str:
        """Newest first; every text escaped here (and sanitized again in the browser)."""
        return ''.join(
            f'<p class="scc-comment"><small>{html.escape(c.author)}</small>{html.escape(c.text)}</p>'  # styled in CSS
            for c in reversed(self.items)
        )

    def heard(self, action: str, comment: CommentPublic) -> None:
        """A comment was posted or hidden somewhere: change the list and flush soon."""
        if action == 'hidden':
            kept = [c for c in self.items if c.id != comment.id]
            if len(kept) == len(self.items):
                return
            self.items.clear()
            self.items.extend(kept)
        elif any(c.id == comment.id for c in self.items):
            return
        else:
            self.items.append(comment)
        if not self._flush_pending and core.loop is not None:
            self._flush_pending = True
            delay = min(MAX_FLUSH_DELAY, max(FLUSH_DELAY, len(self.pages) / PAGES_PER_SECOND))
            core.loop.call_later(delay, self.flush)

    def flush(self) -> None:
        """Render once and hand the same text to every open page of the show."""
        self._flush_pending = False
        self.rendered = self.render()
        alive = []
        for element in self.pages:
            if element.is_deleted or element.client.id not in element.client.instances:
                continue
            alive.append(element)
            if element.content != self.rendered:
                element.content = self.rendered
        self.pages = alive


_feeds: dict[int, CommentFeed] = {}


def _on_comment(event: DomainEvent) -> None:
    loop = core.loop
    if loop is not None and loop.is_running():
        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        if not on_loop:
            loop.call_soon_threadsafe(_on_comment, event)
            return
    feed = _feeds.get(int(event.key or 0))
    if feed is not None:
        feed.heard(str(event.data.get('action', '')), CommentPublic.model_validate(event.data['comment']))


def feed_for(show_id: int) -> CommentFeed:
    """The feed of a show in this process (listening to the bus from the first page on)."""
    if not bus.is_subscribed(SHOW_COMMENT, _on_comment):
        _feeds.clear()  # not listening (first use, or the bus was reset): what we hold may have missed events
        bus.subscribe(SHOW_COMMENT, _on_comment)
    feed = _feeds.get(show_id)
    if feed is None:
        feed = _feeds[show_id] = CommentFeed(show_id)
    return feed


def stream_element(feed: CommentFeed) -> ui.html:
    """This page's stream element, kept up to date by the feed."""
    element = ui.html(feed.rendered).classes('w-full max-h-72 overflow-y-auto scc-comments').mark('scc-comments')
    feed.pages.append(element)

    def forget() -> None:
        if element in feed.pages:
            feed.pages.remove(element)

    context.client.on_delete(forget)
    return element


def reset() -> None:
    """Forget every feed (tests)."""
    _feeds.clear()


class ViewerDisplay:
    """The "N watching in the app" line of watch pages: rounded, and changed at most every VIEWERS_EVERY seconds.

    Counting is exact (services.shows.viewers); showing every change on every open page would cost an update per
    page each time somebody opens or closes one, so the pages of a show hear of it from one check a second.
    """

    EVERY = 20.0

    def __init__(self) -> None:
        self.shown: dict[int, int] = {}
        self.at: dict[int, float] = {}
        self.events: dict[int, Event[int]] = {}

    @staticmethod
    def rounded(count: int) -> int:
        """Exact below 100, else two significant digits (1,234 → 1,200)."""
        if count < 100:
            return count
        step = 10 ** (len(str(count)) - 2)
        return count // step * step

    def current(self, show_id: int) -> int:
        """What the pages of the show show now."""
        if show_id not in self.shown:
            self.shown[show_id] = self.rounded(counter.total(show_id))
            self.at[show_id] = time.monotonic()
        return self.shown[show_id]

    def event(self, show_id: int) -> 'Event[int]':
        """Subscribe a page to changes of the shown count of a show."""
        if show_id not in self.events:
            self.events[show_id] = Event()
        return self.events[show_id]

    def refresh(self) -> None:
        """Called by the app's timer every second."""
        now = time.monotonic()
        for show_id, event in list(self.events.items()):
            if not event.callbacks:
                del self.events[show_id]
                continue
            value = self.rounded(counter.total(show_id))
            if value != self.shown.get(show_id) and now - self.at.get(show_id, 0.0) >= self.EVERY:
                self.shown[show_id], self.at[show_id] = value, now
                event.emit(value)


viewer_display = ViewerDisplay()
