"""Reports: the live district dashboard for admins and the open data feed of stock per store."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from models.common import utcnow
from models.reservations import AllocationMode, WaitStatus
from services.city import current_city
from services.reservations.common import ITEM, SLOT, STORE, WAIT
from services.reservations.policy import local_day, window_opens_at

DAYS_SHOWN = 2


def dashboard(
    session: Session, *, item_id: int | None = None, day: date | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per district for one day: supply, reserved, picked up, no-shows, waitlist, sold-out slots and the median
    minutes from the booking window's opening to selling out."""
    now = now or utcnow()
    day = day or local_day(now)
    query = (
        select(
            STORE.c.district,
            SLOT.c.capacity,
            SLOT.c.remaining,
            SLOT.c.picked_up,
            SLOT.c.no_shows,
            SLOT.c.sold_out_at,
            SLOT.c.day,
            ITEM.c.window_days_before,
            ITEM.c.window_open_minute,
        )
        .select_from(SLOT.join(STORE, STORE.c.id == SLOT.c.store_id).join(ITEM, ITEM.c.id == SLOT.c.item_id))
        .where(SLOT.c.day == day)
    )
    if item_id is not None:
        query = query.where(SLOT.c.item_id == item_id)
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            'supply': 0,
            'reserved': 0,
            'picked_up': 0,
            'no_shows': 0,
            'waitlist': 0,
            'slots': 0,
            'sold_out': 0,
            'sell_out_minutes': [],
        }
    )
    for r in session.execute(query):
        t = totals[r.district]
        t['supply'] += r.capacity
        t['reserved'] += r.capacity - r.remaining
        t['picked_up'] += r.picked_up
        t['no_shows'] += r.no_shows
        t['slots'] += 1
        if r.sold_out_at is not None and r.remaining == 0:
            t['sold_out'] += 1
            opens = window_opens_at(
                window_days_before=r.window_days_before, window_open_minute=r.window_open_minute, day=r.day
            )
            t['sell_out_minutes'].append(max((r.sold_out_at - opens).total_seconds() / 60, 0))
    waits = select(STORE.c.district, func.count()).select_from(WAIT.join(STORE, STORE.c.id == WAIT.c.store_id))
    waits = waits.where(WAIT.c.day == day, WAIT.c.status == WaitStatus.waiting).group_by(STORE.c.district)
    if item_id is not None:
        waits = waits.where(WAIT.c.item_id == item_id)
    for district, count in session.execute(waits):
        totals[district]['waitlist'] = int(count)
    rows = []
    for district in current_city().districts:
        if district.code not in totals:
            continue
        t = totals[district.code]
        minutes = sorted(t.pop('sell_out_minutes'))
        t['median_sell_out_minutes'] = round(minutes[len(minutes) // 2], 1) if minutes else None
        rows.append({'district': district.code, 'district_zh': district.zh, 'district_en': district.en, **t})
    return rows


def feed(session: Session, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Open data: live stock per store and slot for today and tomorrow (no personal data)."""
    now = now or utcnow()
    today = local_day(now)
    item_rows = {i.id: i for i in session.execute(select(ITEM.c.id, ITEM.c.code, ITEM.c.mode))}
    rows = session.execute(
        select(
            SLOT,
            STORE.c.name_zh,
            STORE.c.name_en,
            STORE.c.district,
            STORE.c.address_zh,
            STORE.c.lat,
            STORE.c.lon,
            STORE.c.closed,
        )
        .select_from(SLOT.join(STORE, STORE.c.id == SLOT.c.store_id))
        .where(SLOT.c.day >= today, SLOT.c.day < today + timedelta(days=DAYS_SHOWN))
        .order_by(SLOT.c.store_id, SLOT.c.starts_at)
    ).all()
    stores_out: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = stores_out.setdefault(
            r.store_id,
            {
                'store_id': r.store_id,
                'name_zh': r.name_zh,
                'name_en': r.name_en,
                'district': r.district,
                'address_zh': r.address_zh,
                'lat': r.lat,
                'lon': r.lon,
                'closed': r.closed,
                'slots': [],
            },
        )
        item = item_rows.get(r.item_id)
        entry['slots'].append(
            {
                'slot_id': r.id,
                'item': item.code if item else '',
                'day': r.day.isoformat(),
                'starts_at': r.starts_at.isoformat(),
                'ends_at': r.ends_at.isoformat(),
                'capacity': r.capacity,
                'remaining': r.remaining,
                'updated_at': r.updated_at.isoformat(),
                'mode': str(item.mode.value) if item else AllocationMode.fcfs.value,
            }
        )
    return list(stores_out.values())
