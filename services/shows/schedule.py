"""What residents see: the schedule grouped as live now, today, upcoming and past (by the venue's calendar day)."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from models.common import utcnow
from models.shows import SchedulePublic, Show, ShowPublic, ShowReminder, ShowState, WatchPublic
from services.access import Actor
from services.shows import common

S = ShowState
PAST_DAYS = 30
PAST_LIMIT = 20


def group(shows: list[ShowPublic], *, now: datetime) -> SchedulePublic:
    """Sort shows into the four groups; "today" is the venue's calendar day (the show's time zone), not UTC's."""
    result = SchedulePublic(live=[], today=[], upcoming=[], past=[])
    for show in sorted(shows, key=lambda s: s.starts_at):
        venue_today = common.venue_time(now, show.timezone).date()
        starts_day = common.venue_time(show.starts_at, show.timezone).date()
        if show.state is S.live:
            result.live.append(show)
        elif show.state in (S.ended, S.replay) or (show.state is S.cancelled and show.starts_at < now):
            result.past.append(show)
        elif show.ends_at <= now and show.state is not S.starting_soon:
            result.past.append(show)  # never went live and its time is over
        elif starts_day == venue_today or show.state is S.starting_soon:
            result.today.append(show)
        elif starts_day > venue_today:
            result.upcoming.append(show)
        else:
            result.past.append(show)
    result.past.sort(key=lambda s: s.starts_at, reverse=True)
    del result.past[PAST_LIMIT:]
    return result


def current_shows(session: Session, *, now: datetime | None = None) -> list[ShowPublic]:
    """Every show that is not long past: the raw material of the schedule, the Home banner and the feeds."""
    now = now or utcnow()
    since = now - timedelta(days=PAST_DAYS)
    rows = session.exec(
        select(Show).where(or_(col(Show.starts_at) >= since, Show.state == S.live)).order_by(col(Show.starts_at))
    )
    return [common.to_public(session, r) for r in rows]


def schedule(session: Session, *, now: datetime | None = None) -> SchedulePublic:
    """The resident schedule as of `now`."""
    now = now or utcnow()
    return group(current_shows(session, now=now), now=now)


def live_now(session: Session) -> list[ShowPublic]:
    """Shows that are live at this moment (the Home banner)."""
    rows = session.exec(select(Show).where(Show.state == S.live).order_by(col(Show.starts_at)))
    return [common.to_public(session, r) for r in rows]


def all_shows(session: Session, *, limit: int = 200) -> list[ShowPublic]:
    """Every show, newest start first (the organizer's list)."""
    rows = session.exec(select(Show).order_by(col(Show.starts_at).desc()).limit(limit))
    return [common.to_public(session, r) for r in rows]


def watch_view(session: Session, *, actor: Actor, show_id: int) -> WatchPublic:
    """What a watch page needs from the database, in one read: the show and whether the actor asked for a reminder."""
    show = common.to_public(session, common.load(session, show_id))
    mine = (ShowReminder.show_id == show_id) & (ShowReminder.account_id == actor.account_id)
    subscribed = session.exec(select(ShowReminder.id).where(mine)).first()
    return WatchPublic(show=show, subscribed=subscribed is not None)
