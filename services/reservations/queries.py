"""What screens read: goods, stores with live stock per slot, my reservations, the district dashboard, the feed."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, literal, select
from sqlmodel import Session

from models.accounts import PersonPublic
from models.common import utcnow
from models.reservations import ReservationPublic, ReservationStatus, ResItemPublic, ResSlotPublic, ResStorePublic
from services.access import Actor
from services.errors import N_, NotFound
from services.foundation import people
from services.reservations import passes
from services.reservations.common import ITEM, LOTTERY, RES, SLOT, STORE, reservation_rows
from services.reservations.policy import local_day, window_opens_at
from services.validation import mask_name

DAYS_SHOWN = 2  # today and tomorrow


def items(session: Session, *, include_inactive: bool = False) -> list[ResItemPublic]:
    """The goods on offer."""
    query = select(ITEM).order_by(ITEM.c.id)
    if not include_inactive:
        query = query.where(ITEM.c.active.is_(True))
    return [ResItemPublic.model_validate(dict(row._mapping)) for row in session.execute(query)]


def _store_public(row: Row[Any]) -> ResStorePublic:
    """A store row as screens receive it (without slots)."""
    return ResStorePublic.model_validate(dict(row._mapping))


def stores(
    session: Session,
    *,
    item_id: int,
    district: str | None = None,
    store_id: int | None = None,
    now: datetime | None = None,
) -> list[ResStorePublic]:
    """Stores handing out `item`, each with its current and coming slots (today and tomorrow) and their stock."""
    now = now or utcnow()
    item = session.execute(
        select(ITEM.c.window_days_before, ITEM.c.window_open_minute, ITEM.c.mode).where(ITEM.c.id == item_id)
    ).first()
    if item is None:
        raise NotFound(N_('No such item.'))
    today = local_day(now)
    query = select(STORE).order_by(STORE.c.district, STORE.c.id)
    if district:
        query = query.where(STORE.c.district == district)
    if store_id is not None:
        query = query.where(STORE.c.id == store_id)
    result = {row.id: _store_public(row) for row in session.execute(query)}
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
            ResSlotPublic(
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


def _reservation_public(row: Row[Any], key: bytes) -> ReservationPublic:
    """A reservation as its owner sees it, with a signed pass for a booked one."""
    status = str(getattr(row.status, 'value', row.status))
    token = ''
    if status == ReservationStatus.booked:
        token = passes.make_token(key, reservation_id=row.id, code=row.code, store_id=row.store_id, day=row.day)
    return ReservationPublic(
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


def my_reservations(session: Session, *, actor: Actor, limit: int = 30) -> list[ReservationPublic]:
    """The actor's bookings and those they made for family, newest slot first (passes for booked ones)."""
    key = passes.signing_key(session)
    rows = reservation_rows(session, RES.c.account_id == actor.account_id, limit=limit)
    return [_reservation_public(r, key) for r in rows]


def next_pickup(session: Session, *, actor: Actor, now: datetime | None = None) -> ReservationPublic | None:
    """The actor's next booked pickup that has not ended (for Home)."""
    now = now or utcnow()
    rows = reservation_rows(
        session,
        RES.c.account_id == actor.account_id,
        RES.c.status == ReservationStatus.booked,
        SLOT.c.ends_at > literal(now, SLOT.c.ends_at.type),
        limit=20,
    )
    if not rows:
        return None
    return _reservation_public(min(rows, key=lambda r: r.starts_at), passes.signing_key(session))


def all_stores(session: Session) -> list[ResStorePublic]:
    """Every store (without slots), by district."""
    return [_store_public(row) for row in session.execute(select(STORE).order_by(STORE.c.district, STORE.c.id))]


def page_data(
    session: Session, *, actor: Actor, item_id: int, district: str | None = None, now: datetime | None = None
) -> tuple[list[ResItemPublic], ResItemPublic | None, list[PersonPublic], list[ResStorePublic], str]:
    """Everything the reserve page shows, in one unit of work: goods, the chosen one, the household, the stores
    of `district` ('' for all; None: the resident's own district) and the district shown."""
    goods = items(session)
    current = next((g for g in goods if g.id == item_id), goods[0] if goods else None)
    members = people.household(session, actor=actor)
    if district is None:
        district = members[0].district if members else ''
    if current is None:
        return goods, None, members, [], district
    return goods, current, members, stores(session, item_id=current.id, district=district or None, now=now), district
