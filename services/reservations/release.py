"""No-shows: stock not picked up by the end of its slot plus a grace period goes back to later slots,
the person gets a strike, and too many strikes bar them from booking for a while. Also the periodic sweep."""

from datetime import datetime, timedelta

from sqlalchemy import func, literal, select, update
from sqlmodel import Session

from models.common import utcnow
from models.reservations import ReservationStatus
from services.reservations import common, lottery, stock, waitlist
from services.reservations.common import BAN, ITEM, RES, SLOT, STRIKE

BATCH = 500
LOOKBACK_DAYS = 3  # a no-show older than this is no longer released (the sweep runs every 15 s)


def _later_slot(session: Session, *, store_id: int, item_id: int, now: datetime) -> int | None:
    """The next slot of the same store and item that has not started."""
    row = session.execute(
        select(SLOT.c.id)
        .where(
            SLOT.c.store_id == store_id,
            SLOT.c.item_id == item_id,
            SLOT.c.starts_at > literal(now, SLOT.c.starts_at.type),
        )
        .order_by(SLOT.c.starts_at)
        .limit(1)
    ).first()
    return int(row[0]) if row else None


def strike(
    session: Session, *, person_id: int, reservation_id: int, limit: int, days: int, ban_days: int, now: datetime
) -> datetime | None:
    """Count a no-show; returns the end of the ban when this strike makes it `limit` within `days`."""
    session.execute(STRIKE.insert().values(person_id=person_id, reservation_id=reservation_id, at=now))
    since = literal(now - timedelta(days=days), STRIKE.c.at.type)
    count = session.execute(
        select(func.count()).where(STRIKE.c.person_id == person_id, STRIKE.c.at > since)
    ).scalar_one()
    if count < limit:
        return None
    until = now + timedelta(days=ban_days)
    until_value = literal(until, BAN.c.until.type)
    session.execute(
        common.upsert(session)(BAN)
        .values(person_id=person_id, until=until)
        .on_conflict_do_update(index_elements=['person_id'], set_={'until': until_value})
    )
    return until


def release_no_shows(session: Session, *, now: datetime | None = None) -> int:
    """Mark bookings not picked up in time as no-shows and put their stock into later slots; returns how many."""
    now = now or utcnow()
    rows = session.execute(
        select(
            RES.c.id,
            RES.c.person_id,
            RES.c.store_id,
            RES.c.item_id,
            RES.c.quantity,
            RES.c.slot_id,
            SLOT.c.ends_at,
            ITEM.c.noshow_grace_minutes,
            ITEM.c.strike_limit,
            ITEM.c.strike_days,
            ITEM.c.ban_days,
        )
        .select_from(RES.join(SLOT, SLOT.c.id == RES.c.slot_id).join(ITEM, ITEM.c.id == RES.c.item_id))
        .where(
            RES.c.status == ReservationStatus.booked,
            # Through the slots that ended lately (few) and the slot_id index, not a scan of every reservation.
            RES.c.slot_id.in_(
                select(SLOT.c.id).where(
                    SLOT.c.ends_at <= literal(now, SLOT.c.ends_at.type),
                    SLOT.c.ends_at > literal(now - timedelta(days=LOOKBACK_DAYS), SLOT.c.ends_at.type),
                )
            ),
        )
        .order_by(RES.c.id)
        .limit(BATCH)
    ).all()
    released = 0
    for row in rows:
        if row.ends_at + timedelta(minutes=row.noshow_grace_minutes) > now:
            continue
        changed = common.changed(
            session,
            update(RES)
            .where(RES.c.id == row.id, RES.c.status == ReservationStatus.booked)
            .values(status=ReservationStatus.no_show, closed_at=literal(now, RES.c.closed_at.type)),
        )
        if changed != 1:
            continue
        released += 1
        session.execute(update(SLOT).where(SLOT.c.id == row.slot_id).values(no_shows=SLOT.c.no_shows + row.quantity))
        strike(
            session,
            person_id=row.person_id,
            reservation_id=row.id,
            limit=row.strike_limit,
            days=row.strike_days,
            ban_days=row.ban_days,
            now=now,
        )
        later = _later_slot(session, store_id=row.store_id, item_id=row.item_id, now=now)
        if later is None:
            continue
        session.execute(update(SLOT).where(SLOT.c.id == later).values(capacity=SLOT.c.capacity + row.quantity))
        _remaining, capacity = stock.release(session, slot_id=later, quantity=row.quantity, now=now)
        remaining = waitlist.offer_released(session, slot_id=later, now=now)
        stock.stage(
            session,
            store_id=row.store_id,
            slot_id=later,
            item_id=row.item_id,
            remaining=remaining,
            capacity=capacity,
            now=now,
        )
    return released


def ban_until(session: Session, *, person_id: int, now: datetime | None = None) -> datetime | None:
    """When the person may book again, or None when they are not barred."""
    now = now or utcnow()
    row = session.execute(select(BAN.c.until).where(BAN.c.person_id == person_id)).first()
    until: datetime | None = row[0] if row is not None and row[0] > now else None
    return until


def sweep(session: Session, *, now: datetime | None = None) -> dict[str, int]:
    """Periodic work (any process may run it; conditional updates make it safe to run twice)."""
    now = now or utcnow()
    return {
        'offers_expired': waitlist.expire_offers(session, now=now),
        'no_shows': release_no_shows(session, now=now),
        'draws': lottery.draw_due(session, now=now),
    }
