"""What screens read: goods, stores with live stock per slot, my reservations, the district dashboard, the feed."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, select
from sqlmodel import Session, col

from models.common import utcnow
from models.reservations import AllocationMode, ReservationStatus, ResItem, ResWait, WaitStatus
from services.access import Actor
from services.city import current_city
from services.errors import N_, NotFound
from services.reservations import passes
from services.reservations.booking import ITEM, PERSON, RES, SLOT, STORE
from services.reservations.lottery import LOTTERY
from services.reservations.policy import (
    ItemInfo,
    ReservationInfo,
    SlotInfo,
    StoreInfo,
    item_info,
    local_day,
    window_opens_at,
)
from services.validation import mask_name

WAIT = ResWait.__table__  # type: ignore[attr-defined]
DAYS_SHOWN = 2  # today and tomorrow


def items(session: Session, *, include_inactive: bool = False) -> list[ItemInfo]:
    """The goods on offer."""
    query = select(ResItem).order_by(ResItem.id)  # type: ignore[arg-type]
    if not include_inactive:
        query = query.where(col(ResItem.active).is_(True))
    return [item_info(i) for i in session.scalars(query)]


def _store_info(row: Any) -> StoreInfo:
    return StoreInfo(
        id=row.id,
        name_zh=row.name_zh,
        name_en=row.name_en,
        district=row.district,
        address_zh=row.address_zh,
        address_en=row.address_en,
        lat=row.lat,
        lon=row.lon,
        opens=row.opens,
        closes=row.closes,
        closed=row.closed,
    )


def stores(
    session: Session,
    *,
    item_id: int,
    district: str | None = None,
    store_id: int | None = None,
    now: datetime | None = None,
) -> list[StoreInfo]:
    """Stores handing out `item`, each with its current and coming slots (today and tomorrow) and their stock."""
    now = now or utcnow()
    item = session.get(ResItem, item_id)
    if item is None:
        raise NotFound(N_('No such item.'))
    today = local_day(now)
    query = select(STORE).order_by(STORE.c.district, STORE.c.id)
    if district:
        query = query.where(STORE.c.district == district)
    if store_id is not None:
        query = query.where(STORE.c.id == store_id)
    result = {row.id: _store_info(row) for row in session.execute(query)}
    slots = session.execute(
        select(SLOT, LOTTERY.c.seed_hash, LOTTERY.c.drawn_at)
        .select_from(SLOT.outerjoin(LOTTERY, LOTTERY.c.slot_id == SLOT.c.id))
        .where(
            SLOT.c.item_id == item_id,
            SLOT.c.day >= today,
            SLOT.c.day < today + timedelta(days=DAYS_SHOWN),
            SLOT.c.ends_at > literal(now, SLOT.c.ends_at.type),
            SLOT.c.store_id.in_(list(result)),
        )
        .order_by(SLOT.c.starts_at)
    ).all()
    for s in slots:
        opens = window_opens_at(
            window_days_before=item.window_days_before, window_open_minute=item.window_open_minute, day=s.day
        )
        result[s.store_id].slots.append(
            SlotInfo(
                id=s.id,
                store_id=s.store_id,
                item_id=s.item_id,
                day=s.day,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                capacity=s.capacity,
                remaining=s.remaining,
                updated_at=s.updated_at,
                opens_at=opens,
                mode=item.mode,
                seed_hash=s.seed_hash or '',
                drawn=s.drawn_at is not None,
            )
        )
    return [s for s in result.values() if s.slots or store_id is not None]


def _reservation_rows(session: Session, *where: Any, limit: int = 50) -> list[Any]:
    return list(
        session.execute(
            select(
                RES,
                SLOT.c.day,
                SLOT.c.starts_at,
                SLOT.c.ends_at,
                PERSON.c.real_name,
                PERSON.c.relation,
                ITEM.c.name_zh.label('item_zh'),
                ITEM.c.name_en.label('item_en'),
                ITEM.c.unit_zh,
                ITEM.c.unit_en,
                STORE.c.name_zh.label('store_zh'),
                STORE.c.name_en.label('store_en'),
                STORE.c.address_zh,
                STORE.c.address_en,
            )
            .select_from(
                RES.join(SLOT, SLOT.c.id == RES.c.slot_id)
                .join(PERSON, PERSON.c.id == RES.c.person_id)
                .join(ITEM, ITEM.c.id == RES.c.item_id)
                .join(STORE, STORE.c.id == RES.c.store_id)
            )
            .where(*where)
            .order_by(SLOT.c.starts_at.desc(), RES.c.id.desc())
            .limit(limit)
        ).all()
    )


def _reservation_info(row: Any, key: bytes) -> ReservationInfo:
    status = str(getattr(row.status, 'value', row.status))
    token = ''
    if status == ReservationStatus.booked:
        token = passes.make_token(key, reservation_id=row.id, code=row.code, store_id=row.store_id, day=row.day)
    return ReservationInfo(
        id=row.id,
        status=status,
        quantity=row.quantity,
        code=row.code if token else '',
        person_id=row.person_id,
        masked_name=mask_name(row.real_name),
        relation=row.relation,
        item_name_zh=row.item_zh,
        item_name_en=row.item_en,
        unit_zh=row.unit_zh,
        unit_en=row.unit_en,
        store_id=row.store_id,
        store_name_zh=row.store_zh,
        store_name_en=row.store_en,
        address_zh=row.address_zh,
        address_en=row.address_en,
        day=row.day,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        created_at=row.created_at,
        closed_at=row.closed_at,
        handled_by=row.handled_by,
        token=token,
    )


def my_reservations(session: Session, *, actor: Actor, limit: int = 30) -> list[ReservationInfo]:
    """The actor's bookings and those they made for family, newest slot first (passes for booked ones)."""
    key = passes.signing_key(session)
    rows = _reservation_rows(session, RES.c.account_id == actor.account_id, limit=limit)
    return [_reservation_info(r, key) for r in rows]


def next_pickup(session: Session, *, actor: Actor, now: datetime | None = None) -> ReservationInfo | None:
    """The actor's next booked pickup that has not ended (for Home)."""
    now = now or utcnow()
    rows = _reservation_rows(
        session,
        RES.c.account_id == actor.account_id,
        RES.c.status == ReservationStatus.booked,
        SLOT.c.ends_at > literal(now, SLOT.c.ends_at.type),
        limit=20,
    )
    if not rows:
        return None
    return _reservation_info(min(rows, key=lambda r: r.starts_at), passes.signing_key(session))


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
    item_rows = {i.id: i for i in session.scalars(select(ResItem))}
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


def all_stores(session: Session) -> list[StoreInfo]:
    """Every store (without slots), by district."""
    return [_store_info(row) for row in session.execute(select(STORE).order_by(STORE.c.district, STORE.c.id))]
