"""The show state machine: scheduled → starting soon → live → ended → replay available; postponed and cancelled.

Every move is checked against TRANSITIONS, recorded with who and when (services.shows.common.record) and
published after commit as `show.changed`.
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models.common import utcnow
from models.shows import Show, ShowPublic, ShowReminder, ShowState
from services.access import Actor
from services.errors import N_, DomainError
from services.shows import common, reminders
from services.shows.editing import check_stream_url, parse_venue_time
from services.validation import clean_line

S = ShowState
REASON_MAX = 300  # a postponement's or a cancellation's reason, shown to every resident
TRANSITIONS: dict[ShowState, frozenset[ShowState]] = {
    S.scheduled: frozenset({S.starting_soon, S.live, S.postponed, S.cancelled}),
    S.starting_soon: frozenset({S.live, S.postponed, S.cancelled}),
    S.postponed: frozenset({S.starting_soon, S.live, S.postponed, S.cancelled}),
    S.live: frozenset({S.ended, S.postponed, S.cancelled}),
    S.ended: frozenset({S.replay}),
    S.replay: frozenset(),
    S.cancelled: frozenset(),
}
STATE_LABELS = {
    S.scheduled: N_('Scheduled'),
    S.starting_soon: N_('Starting soon'),
    S.live: N_('LIVE'),
    S.ended: N_('Ended'),
    S.replay: N_('Replay available'),
    S.postponed: N_('Postponed'),
    S.cancelled: N_('Cancelled'),
}


def allowed(current: ShowState, target: ShowState) -> bool:
    """Whether the state machine allows moving from `current` to `target`."""
    return target in TRANSITIONS[current]


def check(current: ShowState, target: ShowState) -> None:
    """Refuse a move the state machine does not allow, naming both states."""
    if not allowed(current, target):
        raise DomainError(
            N_('A performance that is "{current}" cannot become "{target}".'),
            current=STATE_LABELS[current],
            target=STATE_LABELS[target],
        )


def _move(
    session: Session,
    actor: Actor | None,
    show: Show,
    target: ShowState,
    *,
    action: str,
    old_starts_at: datetime | None = None,
    detail: str = '',
) -> ShowPublic:
    current = show.state
    check(current, target)
    show.state = target
    now = utcnow()
    if target is S.live:
        show.went_live_at = show.went_live_at or now
    if target in (S.ended, S.cancelled, S.postponed, S.replay):
        show.banner = False
    if target is S.ended:
        show.ended_at = now
    common.record(
        session, show, actor=actor, action=action, from_state=current, old_starts_at=old_starts_at, detail=detail
    )
    return common.to_public(session, show)


def go_live(session: Session, *, actor: Actor, show_id: int) -> ShowPublic:
    """The one go-live switch: every open page shows LIVE and the player; subscribers get a notice."""
    show = common.load_editable(session, actor, show_id)
    public = _move(session, actor, show, S.live, action='live')
    reminders.send_due(session, show=show, kind='live')
    return public


def mark_starting_soon(session: Session, *, actor: Actor, show_id: int) -> ShowPublic:
    """Announce that the show starts in a few minutes (the app also does this 10 minutes before)."""
    return _move(session, actor, common.load_editable(session, actor, show_id), S.starting_soon, action='starting_soon')


def end_show(session: Session, *, actor: Actor, show_id: int) -> ShowPublic:
    """The show is over: the player stops, the schedule moves it to the past."""
    return _move(session, actor, common.load_editable(session, actor, show_id), S.ended, action='ended')


def publish_replay(session: Session, *, actor: Actor, show_id: int, replay_url: str = '') -> ShowPublic:
    """Make the recording watchable: needs a replay stream URL (given here or stored before)."""
    show = common.load_editable(session, actor, show_id)
    url = check_stream_url(replay_url or show.replay_url, field=N_('Replay stream URL'))
    if not url:
        raise DomainError(N_('Please give the replay stream URL first.'))
    show.replay_url = url
    return _move(session, actor, show, S.replay, action='replay')


def postpone(
    session: Session, *, actor: Actor, show_id: int, starts_local: str, ends_local: str, reason: str = ''
) -> ShowPublic:
    """Move the show to a new time (the old time stays in the history); reminders fire again for the new time."""
    show = common.load_editable(session, actor, show_id)
    starts_at = parse_venue_time(starts_local, field=N_('New start'), tz=show.timezone)
    ends_at = parse_venue_time(ends_local, field=N_('New end'), tz=show.timezone)
    if ends_at <= starts_at:
        raise DomainError(N_('The end must be after the start.'))
    if starts_at <= utcnow():
        raise DomainError(N_('The new start must be in the future.'))
    note = clean_line(reason, field=N_('Reason'), max_length=REASON_MAX, required=False)
    check(show.state, S.postponed)  # before the times change
    old = show.starts_at
    show.starts_at, show.ends_at = starts_at, ends_at
    show.postponements += 1
    show.went_live_at = None
    for reminder in session.exec(select(ShowReminder).where(ShowReminder.show_id == show_id)):
        reminder.soon_sent_at = reminder.live_sent_at = None
        session.add(reminder)
    return _move(session, actor, show, S.postponed, action='postponed', old_starts_at=old, detail=note)


def cancel(session: Session, *, actor: Actor, show_id: int, reason: str) -> ShowPublic:
    """Cancel a show that has not ended, with a reason every resident sees."""
    show = common.load_editable(session, actor, show_id)
    note = clean_line(reason, field=N_('Reason for cancelling'), max_length=REASON_MAX)
    check(show.state, S.cancelled)
    show.cancel_reason = note
    return _move(session, actor, show, S.cancelled, action='cancelled', detail=note)


def set_banner(session: Session, *, actor: Actor, show_id: int, raised: bool) -> ShowPublic:
    """Raise or clear the "technical difficulties" banner on every watch page."""
    show = common.load_editable(session, actor, show_id)
    if raised and show.state not in (S.live, S.starting_soon):
        raise DomainError(N_('The technical difficulties banner is for a show that is live or starting soon.'))
    if show.banner == raised:
        return common.to_public(session, show)
    show.banner = raised
    common.record(session, show, actor=actor, action='banner_raised' if raised else 'banner_cleared')
    return common.to_public(session, show)


def due_soon(session: Session, *, now: datetime | None = None) -> list[int]:
    """Shows the timer should announce as "starting soon" (a read, so an idle timer never takes a write lock)."""
    now = now or utcnow()
    soon = now + timedelta(minutes=common.SOON_MINUTES)
    query = select(Show.id).where(col(Show.state).in_([S.scheduled, S.postponed]), col(Show.starts_at) <= soon,
                                  col(Show.ends_at) > now)  # fmt: skip
    return [i for i in session.exec(query) if i is not None]


def tick(session: Session, *, now: datetime | None = None) -> list[int]:
    """The app's timer: shows within 10 minutes of their start become "starting soon" and subscribers hear of it."""
    now = now or utcnow()
    soon = now + timedelta(minutes=common.SOON_MINUTES)
    due = session.exec(
        select(Show)
        .where(col(Show.state).in_([S.scheduled, S.postponed]), col(Show.starts_at) <= soon, col(Show.ends_at) > now)
        .with_for_update()
    ).all()
    moved: list[int] = []
    for show in due:
        assert show.id is not None
        _move(session, None, show, S.starting_soon, action='starting_soon')
        reminders.send_due(session, show=show, kind='soon')
        moved.append(show.id)
    return moved
