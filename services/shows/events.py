"""Events of the cloud performances: names and typed payloads."""

from typing import Literal

from models.shows import ShowCommentPublic, ShowPublic
from services.events import EventType, Payload


class ShowChanged(Payload):
    """A show changed: a state move, an edit, a new poster, the banner (key: the show id)."""

    action: str  # what happened, as recorded in the history: 'live', 'postponed', 'banner_raised', ...
    show: ShowPublic  # the show as every page may show it, after the change


class CommentChanged(Payload):
    """A comment was posted on a show or hidden by an organizer (key: the show id)."""

    action: Literal['posted', 'hidden']
    comment: ShowCommentPublic


class ReminderDue(Payload):
    """Subscribers of a show are reminded: it starts soon, or it went live (no key: the accounts are named)."""

    kind: Literal['soon', 'live']
    accounts: tuple[int, ...]  # the account ids to remind (marked sent in the database before publishing)
    show_id: int
    title_zh: str
    title_en: str


class ViewerCounts(Payload):
    """One process's open watch pages per show (no key: every process adds up everyone's latest counts)."""

    origin: str  # the process that counted (services.events.bus.origin)
    counts: dict[int, int]  # show id -> open watch pages in that process


SHOW_CHANGED = EventType('show.changed', ShowChanged)
SHOW_COMMENT = EventType('show.comment', CommentChanged)
SHOW_REMINDER = EventType('show.reminder', ReminderDue)
SHOW_VIEWERS = EventType('show.viewers', ViewerCounts)
