"""City admins set up stores, items and their release policy, daily supply per store and the slot plan."""

import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import literal, select, update
from sqlmodel import Session

from models.accounts import Role
from models.common import utcnow
from models.reservations import AllocationMode, ResItemBase, ResItemPublic
from services import audit
from services.access import Actor, require_role
from services.city import current_city
from services.errors import N_, DomainError, NotFound
from services.reservations import common, stock
from services.reservations.common import ITEM, SLOT, STORE
from services.reservations.policy import local_time, parse_hhmm
from services.reservations.waitlist import offer_released
from services.validation import clean_text


def save_store(
    session: Session,
    *,
    actor: Actor,
    name_zh: str,
    name_en: str,
    district: str,
    address_zh: str,
    address_en: str,
    lat: float,
    lon: float,
    opens: str,
    closes: str,
    store_id: int | None = None,
    phone: str = '',
) -> int:
    """Create or change a store; returns its id."""
    require_role(actor, Role.admin)
    current_city().district(district)
    try:
        open_minute, close_minute = parse_hhmm(opens), parse_hhmm(closes)
    except ValueError:
        raise DomainError(N_('Opening hours are written like 08:00 and 21:00.')) from None
    if close_minute <= open_minute:
        raise DomainError(N_('A store must close after it opens.'))
    phone = phone.strip()
    if len(phone) > 32 or not re.fullmatch(r'[0-9+() -]*', phone):
        raise DomainError(N_('A phone number is written with digits, spaces, "-" and "+" (at most 32).'))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DomainError(N_('The coordinates are not on Earth: latitude -90..90, longitude -180..180.'))
    values: dict[str, Any] = {
        'name_zh': clean_text(name_zh, field=N_('Name (Chinese)'), max_length=80),
        'name_en': clean_text(name_en, field=N_('Name (English)'), max_length=120),
        'address_zh': clean_text(address_zh, field=N_('Address (Chinese)'), max_length=160),
        'address_en': clean_text(address_en, field=N_('Address (English)'), max_length=200),
        'district': district,
        'lat': lat,
        'lon': lon,
        'opens': f'{open_minute // 60:02d}:{open_minute % 60:02d}',
        'closes': f'{close_minute // 60:02d}:{close_minute % 60:02d}',
        'phone': phone,
    }
    if store_id:
        saved = session.execute(
            update(STORE).where(STORE.c.id == store_id).values(**values).returning(STORE.c.id)
        ).scalar_one_or_none()
        if saved is None:
            raise NotFound(N_('No such store.'))
    else:
        saved = session.execute(STORE.insert().values(**values, closed=False).returning(STORE.c.id)).scalar_one()
    audit.record(
        session, actor_id=actor.account_id, actor_label=actor.label, action='store.saved', target=f'store:{saved}'
    )
    return int(saved)


def set_store_closed(session: Session, *, actor: Actor, store_id: int, closed: bool) -> None:
    """Close a store (it refuses bookings) or open it again."""
    require_role(actor, Role.admin)
    changed = common.changed(session, update(STORE).where(STORE.c.id == store_id).values(closed=closed))
    if changed != 1:
        raise NotFound(N_('No such store.'))


def save_item(
    session: Session,
    *,
    actor: Actor,
    code: str,
    name_zh: str,
    name_en: str,
    quota: int,
    quota_days: int,
    mode: str,
    window_open: str,
    window_days_before: int,
    noshow_grace_minutes: int = 30,
    strike_limit: int = 3,
    strike_days: int = 30,
    ban_days: int = 7,
    active: bool = True,
) -> ResItemPublic:
    """Create or change an item and its release policy (found by its code)."""
    require_role(actor, Role.admin)
    code = clean_text(code, field=N_('Code'), max_length=32)
    try:
        minute = parse_hhmm(window_open)
        allocation = AllocationMode(mode)
    except ValueError:
        raise DomainError(N_('The booking window opens at a time like 10:00; the mode is fcfs or lottery.')) from None
    for value, low, high in (
        (quota, 1, 1000),
        (quota_days, 1, 365),
        (window_days_before, 0, 30),
        (noshow_grace_minutes, 0, 1440),
        (strike_limit, 1, 100),
        (strike_days, 1, 365),
        (ban_days, 0, 365),
    ):
        if not isinstance(value, int) or not low <= value <= high:
            raise DomainError(N_('A number of the policy is out of range ({low} to {high}).'), low=low, high=high)
    policy: dict[str, Any] = {
        'name_zh': clean_text(name_zh, field=N_('Name (Chinese)'), max_length=60),
        'name_en': clean_text(name_en, field=N_('Name (English)'), max_length=60),
        'quota': quota,
        'quota_days': quota_days,
        'mode': allocation,
        'window_open_minute': minute,
        'window_days_before': window_days_before,
        'noshow_grace_minutes': noshow_grace_minutes,
        'strike_limit': strike_limit,
        'strike_days': strike_days,
        'ban_days': ban_days,
        'active': active,
    }
    row = session.execute(update(ITEM).where(ITEM.c.code == code).values(**policy).returning(*ITEM.c)).first()
    if row is None:  # a new item: the defaults of the model (units) for what the form does not set
        values = ResItemBase(code=code, **policy).model_dump()
        row = session.execute(ITEM.insert().values(**values).returning(*ITEM.c)).one()
    audit.record(
        session, actor_id=actor.account_id, actor_label=actor.label, action='item.saved', target=f'item:{row.id}'
    )
    return ResItemPublic.model_validate(dict(row._mapping))


def plan_slots(
    session: Session, *, actor: Actor | None, store_id: int, item_id: int, day: date, slots: list[tuple[str, str, int]]
) -> list[int]:
    """Add the day's slot plan for an item at a store: (start 'HH:MM', end 'HH:MM', supply) each."""
    if actor is not None:
        require_role(actor, Role.admin)
    store = session.execute(select(STORE.c.id).where(STORE.c.id == store_id)).first()
    item = session.execute(select(ITEM.c.id).where(ITEM.c.id == item_id)).first()
    if store is None or item is None:
        raise NotFound(N_('No such store or item.'))
    planned: list[tuple[int, int, int]] = []
    for start, end, supply in slots:  # check the whole plan before writing any of it
        try:
            start_minute, end_minute = parse_hhmm(start), parse_hhmm(end)
        except ValueError:
            raise DomainError(N_('Slot times are written like 09:00.')) from None
        if end_minute <= start_minute:
            raise DomainError(N_('A slot must end after it starts.'))
        if not isinstance(supply, int) or not 0 <= supply <= 100000:
            raise DomainError(N_('The supply of a slot is between 0 and 100000.'))
        planned.append((start_minute, end_minute, supply))
    now = utcnow()
    ids: list[int] = []
    for start_minute, end_minute, supply in planned:
        new_id = session.execute(
            SLOT.insert()
            .values(
                store_id=store_id,
                item_id=item_id,
                day=day,
                starts_at=local_time(day, start_minute),
                ends_at=local_time(day, end_minute),
                capacity=supply,
                remaining=supply,
                picked_up=0,
                no_shows=0,
                updated_at=now,
            )
            .returning(SLOT.c.id)
        ).scalar_one()
        ids.append(int(new_id))
    return ids


def change_supply(session: Session, *, actor: Actor, slot_id: int, delta: int) -> int:
    """Add supply to a slot (or take back supply not yet reserved); returns the stock left."""
    require_role(actor, Role.admin)
    now = utcnow()
    row = session.execute(
        update(SLOT)
        .where(SLOT.c.id == slot_id, SLOT.c.remaining + delta >= 0)
        .values(
            capacity=SLOT.c.capacity + delta,
            remaining=SLOT.c.remaining + delta,
            updated_at=literal(now, SLOT.c.updated_at.type),
        )
        .returning(SLOT.c.remaining, SLOT.c.capacity, SLOT.c.store_id, SLOT.c.item_id)
    ).first()
    if row is None:
        raise DomainError(N_('Only supply that is not reserved yet can be taken back.'))
    stock.stage(
        session,
        store_id=row.store_id,
        slot_id=slot_id,
        item_id=row.item_id,
        remaining=row.remaining,
        capacity=row.capacity,
        now=now,
    )
    if delta > 0:
        offer_released(session, slot_id=slot_id, now=now)
    return int(row.remaining)


def next_days(today: date, count: int = 2) -> list[date]:
    """Today and the following days."""
    return [today + timedelta(days=i) for i in range(count)]
