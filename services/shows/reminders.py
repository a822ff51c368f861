""" "Remind me": residents subscribe to a show; a notice reaches those online 10 minutes before and at go-live.

A periodic job of the app (views/shows/feeds.py) calls lifecycle.tick, which marks reminders sent in the database
before publishing one SHOW_REMINDER event per show and kind: with several processes, only the one that marked them
publishes.
"""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.common import utcnow
from models.shows import Show, ShowReminder, ShowState
from services.access import Actor
from services.errors import N_, DomainError
from services.events import bus
from services.shows import common
from services.shows.events import SHOW_REMINDER, ReminderDue


def subscribe(session: Session, *, actor: Actor, show_id: int) -> bool:
    """Ask for a reminder; True when subscribed (asking twice is harmless)."""
    show = common.load(session, show_id)
    if show.state in (ShowState.ended, ShowState.replay, ShowState.cancelled):
        raise DomainError(N_('This performance is over; there is nothing to remind you of.'))
    exists = session.exec(
        select(ShowReminder.id).where(ShowReminder.show_id == show_id, ShowReminder.account_id == actor.account_id)
    ).first()
    if exists is None:
        try:
            with session.begin_nested():
                session.add(ShowReminder(show_id=show_id, account_id=actor.account_id))
        except IntegrityError:
            pass  # the same resident pressed twice at once
    return True


def unsubscribe(session: Session, *, actor: Actor, show_id: int) -> bool:
    """No more reminders for this show; returns False (not subscribed)."""
    for row in session.exec(
        select(ShowReminder).where(ShowReminder.show_id == show_id, ShowReminder.account_id == actor.account_id)
    ):
        session.delete(row)
    return False


def is_subscribed(session: Session, *, actor: Actor, show_id: int) -> bool:
    """Whether the actor asked to be reminded of this show."""
    return (
        session.exec(
            select(ShowReminder.id).where(ShowReminder.show_id == show_id, ShowReminder.account_id == actor.account_id)
        ).first()
        is not None
    )


def send_due(session: Session, *, show: Show, kind: str) -> list[int]:
    """Mark the show's unsent reminders of `kind` ('soon' or 'live') sent and publish them after commit."""
    assert show.id is not None
    column = ShowReminder.soon_sent_at if kind == 'soon' else ShowReminder.live_sent_at
    rows = list(session.exec(select(ShowReminder).where(ShowReminder.show_id == show.id, col(column).is_(None))))
    if not rows:
        return []
    now = utcnow()
    for row in rows:
        setattr(row, 'soon_sent_at' if kind == 'soon' else 'live_sent_at', now)
        session.add(row)
    accounts = [row.account_id for row in rows]
    due = ReminderDue(kind='soon' if kind == 'soon' else 'live', accounts=tuple(accounts), show_id=show.id,
                      title_zh=show.title_zh, title_en=show.title_en)  # fmt: skip
    bus.stage(session, SHOW_REMINDER, due)
    return accounts
