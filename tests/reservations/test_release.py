"""Fair release: no-shows go back to later slots with strikes and bans, the waitlist's 10-minute hold, lottery."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from models.common import utcnow
from models.reservations import AllocationMode, Reservation, ReservationStatus, ResSlot
from services import db
from services.errors import DomainError
from services.reservations import booking, cancel, lottery, lottery_verify, queries, release, waitlist
from services.reservations.policy import local_day
from tests.support.actors import actor
from tests.support.reservations import (
    make_item,
    make_slot,
    make_store,
    many_residents,
    quota_used,
    remaining,
    reserve,
)


def test_no_show_releases_stock_to_a_later_slot_and_three_strikes_ban() -> None:
    li = actor(phone='13800000003')
    item = make_item(quota=50, noshow_grace_minutes=30, strike_limit=3, strike_days=30, ban_days=7)
    store = make_store()
    now = utcnow()
    for strike_number in range(3):
        early = make_slot(store, item, stock=5, starts_in=timedelta(hours=1), now=now)
        later = make_slot(store, item, stock=5, starts_in=timedelta(hours=6), now=now)
        booked = reserve(li, early, {li.person_id: 2}, now)
        with db.session_scope() as session:  # within the grace period nothing happens
            assert release.release_no_shows(session, now=now + timedelta(hours=3, minutes=10)) == 0
        after = now + timedelta(hours=3, minutes=31)
        with db.session_scope() as session:
            assert release.release_no_shows(session, now=after) == 1
        assert remaining(later) == 7
        with db.read_session() as session:
            row = session.get(Reservation, booked.reservation_ids[0])
            assert row is not None and row.status == ReservationStatus.no_show
            assert session.get(ResSlot, early).no_shows == 2  # type: ignore[union-attr]
            banned = release.ban_until(session, person_id=li.person_id, now=after)  # type: ignore[arg-type]
        assert (banned is not None) == (strike_number == 2)
        now += timedelta(days=1)
    with pytest.raises(DomainError, match='may not book until'):
        reserve(li, make_slot(store, item, stock=5, now=now), {li.person_id: 1}, now)
    later_on = now + timedelta(days=8)
    assert reserve(li, make_slot(store, item, stock=5, now=later_on), {li.person_id: 1}, later_on).remaining == 4


def test_waitlist_offer_hold_accept_and_expiry() -> None:
    item = make_item()
    store = make_store()
    slot = make_slot(store, item, stock=2)
    a, b, c, d = many_residents(4)
    b_id, c_id = b.person_id or 0, c.person_id or 0
    first = reserve(a, slot, {a.person_id: 2})
    day = local_day(utcnow() + timedelta(hours=1))
    with db.session_scope() as session:
        assert waitlist.join(session, actor=b, store_id=store, item_id=item, day=day, person_id=b_id,
                             quantity=1) == 1  # fmt: skip
        assert waitlist.join(session, actor=c, store_id=store, item_id=item, day=day, person_id=c_id,
                             quantity=1) == 2  # fmt: skip
        with pytest.raises(DomainError, match='Already on the waitlist'):
            waitlist.join(session, actor=b, store_id=store, item_id=item, day=day, person_id=b_id, quantity=1)
    now = utcnow()
    with db.session_scope() as session:
        assert cancel.cancel(session, actor=a, reservation_id=first.reservation_ids[0], now=now) == 0
    assert remaining(slot) == 0  # both units are held for B and C for 10 minutes; D cannot take them
    with pytest.raises(DomainError, match='Sold out'):
        reserve(d, slot, {d.person_id: 1})
    with db.read_session() as session:
        offers = {w.person_id: w for w in waitlist.mine(session, actor=b) + waitlist.mine(session, actor=c)}
    assert offers[b_id].status == 'offered' and offers[c_id].status == 'offered'
    with db.session_scope() as session:
        waitlist.accept(session, actor=b, wait_id=offers[b_id].id, now=now + timedelta(minutes=5))
    with pytest.raises(DomainError, match='expired'), db.session_scope() as session:
        waitlist.accept(session, actor=c, wait_id=offers[c_id].id, now=now + timedelta(minutes=11))
    with db.session_scope() as session:
        assert waitlist.expire_offers(session, now=now + timedelta(minutes=11)) == 1
    assert remaining(slot) == 1  # C's held unit is back on sale
    with db.read_session() as session:
        mine = queries.my_reservations(session, actor=b)
    assert mine[0].status == 'booked' and mine[0].token


def test_lottery_is_reproducible_and_verifiable(tmp_path: Path) -> None:
    item = make_item(mode=AllocationMode.lottery, quota=5, window_days_before=3)
    store = make_store()
    now = utcnow()
    slot = make_slot(store, item, stock=5, starts_in=timedelta(days=1, hours=12), now=now)
    applicants = many_residents(12)
    first = applicants[0]
    with pytest.raises(DomainError, match='lottery'), db.session_scope() as session:
        booking.reserve(session, actor=first, slot_id=slot, members={first.person_id: 1})  # type: ignore[dict-item]
    for i, person in enumerate(applicants):
        with db.session_scope() as session:
            lottery.apply(session, actor=person, slot_id=slot, members={person.person_id: 1 + i % 2}, now=now)  # type: ignore[dict-item]
    with db.read_session() as session:
        published = lottery.record(session, slot_id=slot)
    assert 'seed' not in published and len(published['seed_hash']) == 64
    with pytest.raises(DomainError, match='draw takes place'), db.session_scope() as session:
        lottery.draw(session, slot_id=slot, now=now)
    draw_time = now + timedelta(days=3)
    with db.session_scope() as session:
        assert lottery.draw_due(session, now=draw_time) >= 1
    with db.read_session() as session:
        record = lottery.record(session, slot_id=slot)
    assert record['seed_hash'] == published['seed_hash'] == lottery.seed_hash(record['seed'])
    apps = [(a['id'], a['quantity']) for a in record['applications']]
    assert lottery.winners(record['seed'], apps, 5) == lottery.winners(record['seed'], list(reversed(apps)), 5)
    assert record['winners'] == lottery.winners(record['seed'], apps, 5)
    assert sum(q for i, q in apps if i in record['winners']) <= 5
    assert remaining(slot) == 5 - sum(q for i, q in apps if i in record['winners'])
    path = tmp_path / 'record.json'
    path.write_text(json.dumps(record))
    assert lottery_verify.main([str(path)]) == 0
    record['winners'] = record['winners'][:-1]
    path.write_text(json.dumps(record))
    assert lottery_verify.main([str(path)]) == 1
    with pytest.raises(DomainError, match='drawn already'), db.session_scope() as session:
        lottery.draw(session, slot_id=slot, now=draw_time)


def test_lottery_losers_get_their_quota_back() -> None:
    item = make_item(mode=AllocationMode.lottery, quota=5, window_days_before=3)
    now = utcnow()
    slot = make_slot(make_store(), item, stock=1, starts_in=timedelta(days=1, hours=12), now=now)
    people = many_residents(3)
    for p in people:
        with db.session_scope() as session:
            lottery.apply(session, actor=p, slot_id=slot, members={p.person_id: 1}, now=now)  # type: ignore[dict-item]
    with db.session_scope() as session:
        winners = lottery.draw(session, slot_id=slot, now=now + timedelta(days=3))
    assert len(winners) == 1
    with db.read_session() as session:
        used = [quota_used(session, p.person_id, item) for p in people]  # type: ignore[arg-type]
    assert sorted(used) == [0, 0, 1]


def test_sweep_releases_no_shows_and_expires_offers_together() -> None:
    li = actor(phone='13800000003')
    item = make_item()
    store = make_store()
    now = utcnow()
    early = make_slot(store, item, stock=2, starts_in=timedelta(hours=1), now=now)
    later = make_slot(store, item, stock=0, starts_in=timedelta(hours=6), now=now)
    reserve(li, early, {li.person_id: 2}, now)
    with db.session_scope() as session:
        done = release.sweep(session, now=now + timedelta(hours=4))
    assert done['no_shows'] == 1 and done['offers_expired'] == 0
    assert remaining(later) == 2 and remaining(early) == 0
