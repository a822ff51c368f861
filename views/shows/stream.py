"""Live values a show's watch pages share: the comment stream, and the rounded number of people watching in the app.

A burst of 100 comments a second must not cost 100 updates a second on every open watch page. One process-wide
listener (declared in register()) takes the comments of every show in batches — the first one of a quiet spell at
once, then at a pace that grows with the audience (`flush_pace`) — changes each show's list of the last SHOWN
visible comments, renders that list once (escaped) and sets the same text on the single stream element of every
open watch page of the show.
A hidden comment leaves the stream at the next flush, for everyone.
"""

import html
from collections import deque

from nicegui import context, ui

from models.shows import ShowCommentPublic
from services.shows.events import SHOW_COMMENT, SHOW_VIEWERS, CommentChanged, ViewerCounts
from services.shows.viewers import counter
from views.kit import live
from views.kit.i18n import _

# One render per show and flush, handed to every open page of the show. The pause between flushes grows with the
# audience so that one show's stream costs at most PAGES_PER_SECOND page updates a second: FLUSH_EVERY with few
# pages, pages / PAGES_PER_SECOND with many, never more than MAX_FLUSH_EVERY; a comment after a quiet spell still
# shows at once.
FLUSH_EVERY = 0.25
PAGES_PER_SECOND = 2000
MAX_FLUSH_EVERY = 1.0
SHOWN = 100  # comments a stream shows (and a process keeps per show)
# The "N watching in the app" line changes at most this often: an exact live count on every page would cost an
# update per page whenever anybody opens or closes one (the organizer console shows the exact count).
VIEWERS_EVERY = 20.0


class CommentFeed:
    """The last SHOWN visible comments of one show, and the stream elements of this process's pages that show them."""

    def __init__(self, show_id: int) -> None:
        self.show_id = show_id
        self.items: deque[ShowCommentPublic] = deque(maxlen=SHOWN)
        self.loaded = False
        self.pages: list[ui.html] = []
        self.rendered = ''

    def seed(self, recent: list[ShowCommentPublic]) -> None:
        """The comments read from the database when the first page of this show opened in this process."""
        if self.loaded:
            return
        known = {c.id for c in recent}
        heard_meanwhile = [c for c in self.items if c.id not in known]  # arrived while the database was read
        self.items.clear()
        self.items.extend([c for c in recent if not c.hidden] + heard_meanwhile)
        self.loaded = True
        self.rendered = self.render()

    def render(self) -> str:
        """Newest first; every text escaped here (and sanitized again in the browser)."""
        return ''.join(
            f'<p class="scc-comment"><small>{html.escape(c.author)}</small>{html.escape(c.text)}</p>'  # styled in CSS
            for c in reversed(self.items)
        )

    def take(self, change: CommentChanged) -> bool:
        """A comment was posted or hidden somewhere: change the list; True when it changed."""
        comment = change.comment
        if change.action == 'hidden':
            kept = [c for c in self.items if c.id != comment.id]
            if len(kept) == len(self.items):
                return False
            self.items.clear()
            self.items.extend(kept)
            return True
        if any(c.id == comment.id for c in self.items):
            return False
        self.items.append(comment)
        return True

    def flush(self) -> None:
        """Render once and hand the same text to every open page of the show."""
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


def flush_pace() -> float:
    """Seconds until the next flush may run, by the largest audience of a show in this process now."""
    pages = max((len(feed.pages) for feed in _feeds.values()), default=0)
    return min(MAX_FLUSH_EVERY, max(FLUSH_EVERY, pages / PAGES_PER_SECOND))


def on_comments(changes: list[CommentChanged]) -> None:
    """The batch of comments since the last flush: change each show's list, then render each changed show once."""
    changed: dict[int, CommentFeed] = {}
    for change in changes:
        feed = _feeds.get(change.comment.show_id)
        if feed is not None and feed.take(change):
            changed[feed.show_id] = feed
    for feed in changed.values():
        feed.flush()


def feed_for(show_id: int) -> CommentFeed:
    """The feed of a show in this process (created with the first watch page of the show)."""
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
    """Forget every feed (register() runs again in tests, on a database that may have been emptied meanwhile)."""
    _feeds.clear()


def rounded(count: int) -> int:
    """Exact below 100, else two significant digits (1,234 → 1,200)."""
    if count < 100:
        return count
    step = int(10 ** (len(str(count)) - 2))
    return count // step * step


class ViewersLine(ui.label):
    """The "N watching in the app" line of a watch page: rounded, and changed at most every VIEWERS_EVERY seconds.

    Counting is exact (services.shows.viewers); the processes share their counts as SHOW_VIEWERS events (at most
    every 2 s when they changed, and as a heartbeat), and the line takes the latest total from them.
    """

    def __init__(self, show_id: int) -> None:
        super().__init__()
        self.show_id = show_id
        self.count = -1
        self.joined = False
        self.classes('text-xs text-gray-600 scc-viewers').mark('scc-viewers')
        self.recount()
        live.on(SHOW_VIEWERS, self.recount, at_most_every=VIEWERS_EVERY)

    def join(self) -> None:
        """This page connected: count it, and show a line that includes this viewer at once."""
        counter.join(self.show_id)
        self.joined = True
        self.recount()

    def leave(self) -> None:
        """This page disconnected."""
        counter.leave(self.show_id)
        self.joined = False

    def recount(self, _counts: ViewerCounts | None = None) -> None:
        """Show the current total (all processes) when its rounded value changed; this viewer is always in it
        (before the page connected it is not counted yet, but it is watching)."""
        count = rounded(counter.total(self.show_id) + (0 if self.joined else 1))
        if count != self.count:
            self.count = count
            self.text = _('{count} watching in the app', count=f'{count:,}')


def register() -> None:
    """The one comment listener of this process."""
    reset()
    live.listen(SHOW_COMMENT, on_comments, batch=True, at_most_every=flush_pace)
