"""The show state machine: every allowed and refused move, who and when recorded, postponement history,
cancellation reasons, the technical difficulties banner, "starting soon" by the timer, and time-zone boundaries."""

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from sqlmodel import col, select

from models.common import utcnow
from models.shows import Show, ShowChange, ShowReminder, ShowState
from services import db
from services.errors import DomainError, Forbidden
from services.shows import SHOW_CHANGED, SHOW_REMINDER, common, editing, lifecycle, reminders, schedule
from tests.support.shows import Caught, local, make_show, organizer, resident, state_of

S = ShowState
TARGETS = [S.starting_soon, S.live, S.ended, S.replay, S.postponed, S.cancelled]
ALLOWED = {
    (S.scheduled, S.starting_soon), (S.scheduled, S.live), (S.scheduled, S.postponed), (S.scheduled, S.cancelled),
    (S.starting_soon, S.live), (S.starting_soon, S.postponed), (S.starting_soon, S.cancelled),
    (S.postponed, S.starting_soon), (S.postponed, S.live), (S.postponed, S.postponed), (S.postponed, S.cancelled),
    (S.live, S.ended), (S.live, S.postponed), (S.live, S.cancelled),
    (S.ended, S.replay),
}  # fmt: skip


def move(show_id: int, target: ShowState) -> None:
    """Ask for `target` the way the organizer console does."""
    actor = organizer()
    later = utcnow() + timedelta(days=3)
    with db.session_scope() as session:
        if target is S.starting_soon:
            lifecycle.mark_starting_soon(session, actor=actor, show_id=show_id)
        elif target is S.live:
            lifecycle.go_live(session, actor=actor, show_id=show_id)
        elif target is S.ended:
            lifecycle.end_show(session, actor=actor, show_id=show_id)
        elif target is S.replay:
            lifecycle.publish_replay(session, actor=actor, show_id=show_id, replay_url='https://cdn.example.com/r.m3u8')
        elif target is S.postponed:
            lifecycle.postpone(session, actor=actor, show_id=show_id, starts_local=local(later),
                               ends_local=local(later + timedelta(hours=2)), reason='雨天 rain')  # fmt: skip
        elif target is S.cancelled:
            lifecycle.cancel(session, actor=actor, show_id=show_id, reason='演员生病 actor ill')


def changes(show_id: int) -> list[ShowChange]:
    with db.read_session() as session:
        return list(session.exec(select(ShowChange).where(ShowChange.show_id == show_id).order_by(col(ShowChange.id))))


def test_the_table_is_what_the_product_says() -> None:
    table = {(a, b) for a, targets in lifecycle.TRANSITIONS.items() for b in targets}
    assert table == ALLOWED
    assert not any(S.scheduled in targets for targets in lifecycle.TRANSITIONS.values())  # nothing goes back


@pytest.mark.parametrize(('start', 'target'), list(product(list(S), TARGETS)), ids=lambda s: s.value)
def test_every_move_is_allowed_or_refused_as_the_table_says(start: ShowState, target: ShowState) -> None:
    show_id = make_show(start)
    before = len(changes(show_id))
    caught = Caught(SHOW_CHANGED)
    if (start, target) in ALLOWED:
        move(show_id, target)
        assert state_of(show_id) is target
        last = changes(show_id)[-1]
        assert (last.from_state, last.to_state) == (start.value, target.value)
        assert last.actor_label == organizer().label and last.actor_account_id == organizer().account_id
        assert abs((utcnow() - last.at).total_seconds()) < 10
        assert [p.show.state for p in caught.payloads()] == [target]
    else:
        with pytest.raises(DomainError) as refused:
            move(show_id, target)
        assert 'cannot become' in str(refused.value)
        assert state_of(show_id) is start
        assert len(changes(show_id)) == before  # nothing half-written
        assert caught.events == []


def test_a_resident_cannot_run_a_show() -> None:
    show_id = make_show()
    with db.session_scope() as session, pytest.raises(Forbidden):
        lifecycle.go_live(session, actor=resident(), show_id=show_id)
    assert state_of(show_id) is S.scheduled


def test_postponing_keeps_the_history_and_reminds_again() -> None:
    show_id = make_show()
    with db.read_session() as session:
        first = session.get(Show, show_id)
        assert first is not None
        original = first.starts_at
    with db.session_scope() as session:
        reminders.subscribe(session, actor=resident(), show_id=show_id)
        row = session.exec(select(ShowReminder)).one()
        row.soon_sent_at = utcnow()
        session.add(row)
    move(show_id, S.postponed)
    move(show_id, S.postponed)
    with db.read_session() as session:
        show = session.get(Show, show_id)
        assert show is not None
        assert show.state is S.postponed and show.postponements == 2
        history = common.history(session, show_id=show_id)
        reminder = session.exec(select(ShowReminder)).one()
    postponements = [h for h in history if h.action == 'postponed']
    assert len(postponements) == 2
    oldest = postponements[-1]
    assert oldest.old_starts_at == original and oldest.new_starts_at is not None and oldest.new_starts_at > original
    assert oldest.detail == '雨天 rain'
    assert reminder.soon_sent_at is None  # the new time gets its own reminders


def test_postponing_needs_a_future_time_in_order() -> None:
    show_id = make_show()
    now = utcnow()
    actor = organizer()
    for starts, ends, message in (
        (now - timedelta(hours=1), now + timedelta(hours=1), 'future'),
        (now + timedelta(days=2), now + timedelta(days=1), 'after the start'),
    ):
        with db.session_scope() as session, pytest.raises(DomainError, match=message):
            lifecycle.postpone(
                session, actor=actor, show_id=show_id, starts_local=local(starts), ends_local=local(ends)
            )
    with db.session_scope() as session, pytest.raises(DomainError, match='YYYY-MM-DD'):
        lifecycle.postpone(session, actor=actor, show_id=show_id, starts_local='tomorrow', ends_local='later')
    assert state_of(show_id) is S.scheduled


def test_cancelling_needs_a_reason_that_everyone_sees() -> None:
    show_id = make_show()
    with db.session_scope() as session, pytest.raises(DomainError, match='Reason'):
        lifecycle.cancel(session, actor=organizer(), show_id=show_id, reason='  ')
    assert state_of(show_id) is S.scheduled
    move(show_id, S.cancelled)
    with db.read_session() as session:
        show = editing.get_show(session, show_id=show_id)
    assert show.cancel_reason == '演员生病 actor ill'


def test_the_banner_is_raised_and_cleared_during_a_live_show_only() -> None:
    show_id = make_show()
    actor = organizer()
    with db.session_scope() as session, pytest.raises(DomainError, match='live or starting soon'):
        lifecycle.set_banner(session, actor=actor, show_id=show_id, raised=True)
    move(show_id, S.live)
    caught = Caught(SHOW_CHANGED)
    with db.session_scope() as session:
        assert lifecycle.set_banner(session, actor=actor, show_id=show_id, raised=True).banner
    with db.session_scope() as session:
        assert not lifecycle.set_banner(session, actor=actor, show_id=show_id, raised=False).banner
    assert [p.action for p in caught.payloads()] == ['banner_raised', 'banner_cleared']
    assert [c.action for c in changes(show_id)][-2:] == ['banner_raised', 'banner_cleared']
    with db.session_scope() as session:
        lifecycle.set_banner(session, actor=actor, show_id=show_id, raised=True)
    move(show_id, S.ended)
    with db.read_session() as session:
        assert not editing.get_show(session, show_id=show_id).banner  # ending clears it


def test_the_timer_announces_starting_soon_and_reminds_subscribers_once() -> None:
    show_id = make_show(starts_in=timedelta(minutes=30))
    far = make_show(starts_in=timedelta(hours=5))
    with db.session_scope() as session:
        reminders.subscribe(session, actor=resident(), show_id=show_id)
    caught = Caught(SHOW_REMINDER, SHOW_CHANGED)
    with db.session_scope() as session:
        assert lifecycle.tick(session, now=utcnow()) == []  # 30 minutes ahead: too early
        moved = lifecycle.tick(session, now=utcnow() + timedelta(minutes=21))
    assert show_id in moved and far not in moved
    assert state_of(show_id) is S.starting_soon and state_of(far) is S.scheduled
    reminder = caught.payloads(SHOW_REMINDER)
    assert len(reminder) == 1 and reminder[0].kind == 'soon'
    assert reminder[0].accounts == (resident().account_id,)
    with db.session_scope() as session:
        lifecycle.tick(session, now=utcnow() + timedelta(minutes=22))
    assert len(caught.payloads(SHOW_REMINDER)) == 1  # sent once
    assert changes(show_id)[-1].actor_label == 'system'
    move(show_id, S.live)
    live = caught.payloads(SHOW_REMINDER)[-1]
    assert live.kind == 'live' and live.accounts == (resident().account_id,)


def test_a_refused_move_publishes_nothing_and_a_rolled_back_one_neither() -> None:
    show_id = make_show()
    caught = Caught(SHOW_CHANGED)
    with pytest.raises(RuntimeError), db.session_scope() as session:
        lifecycle.go_live(session, actor=organizer(), show_id=show_id)
        raise RuntimeError('the transaction fails after the move')
    assert caught.events == [] and state_of(show_id) is S.scheduled


def test_a_show_at_half_past_midnight_shanghai_time() -> None:
    # 00:30 on 26 November in Shanghai is 16:30 on 25 November in UTC.
    starts = editing.parse_venue_time('2026-11-26 00:30', field='Start')
    assert starts == datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
    assert editing.format_venue_time(starts) == '2026-11-26 00:30'
    ends = starts + timedelta(hours=2)
    with db.read_session() as session:
        show = editing.get_show(session, show_id=make_show())
    show = show.model_copy(update={'starts_at': starts, 'ends_at': ends, 'state': S.scheduled})
    late_show = show.model_copy(
        update={'id': 2, 'starts_at': starts + timedelta(days=1), 'ends_at': ends + timedelta(days=1)}
    )
    # 23:59 on the 25th in Shanghai (15:59 UTC): the show is tomorrow there, though the UTC date is the same.
    before = schedule.group([show, late_show], now=datetime(2026, 11, 25, 15, 59, tzinfo=UTC))
    assert [s.id for s in before.upcoming] == [show.id, 2] and before.today == []
    # 00:00 on the 26th in Shanghai (16:00 UTC, still the 25th in UTC): it is today.
    after = schedule.group([show, late_show], now=datetime(2026, 11, 25, 16, 0, tzinfo=UTC))
    assert [s.id for s in after.today] == [show.id] and [s.id for s in after.upcoming] == [2]
    # Its end is on the 26th in Shanghai too; after it ended without going live it counts as past.
    gone = schedule.group([show], now=ends + timedelta(minutes=1))
    assert [s.id for s in gone.past] == [show.id]


def test_times_that_do_not_exist_are_refused() -> None:
    for raw in ('2026-02-30 19:00', '2026-11-26 24:10', '26/11/2026 19:00', ''):
        with pytest.raises(DomainError):
            editing.parse_venue_time(raw, field='Start')


def test_the_timer_reads_before_it_writes() -> None:
    soon = make_show(starts_in=timedelta(minutes=5))
    later = make_show(starts_in=timedelta(hours=3))
    with db.read_session() as session:
        due = lifecycle.due_soon(session)
    assert soon in due and later not in due
