"""City admins set up stores, items and their release policy, daily supply per store and the slot plan."""

from datetime import date, timedelta

from sqlalchemy import literal, select, update
from sqlmodel import Session

from models.accounts import Role
from models.common import utcnow
from models.reservations import AllocationMode, ResItem, ResSlot, ResStore
from services import audit
from services.access import Actor, require_role
from services.city import current_city
from services.errors import N_, DomainError, NotFound
from services.reservations import booking
from services.reservations.common import SLOT
from services.reservations.policy import ItemInfo, item_info, local_time, parse_hhmm
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
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DomainError(N_('The coordinates are not on Earth: latitude -90..90, longitude -180..180.'))
    store = (
        session.get(ResStore, store_id)
        if store_id
        else ResStore(lat=lat, lon=lon, name_zh='', name_en='', district=district, address_zh='', address_en='')
    )
    if store is None:
        raise NotFound(N_('No such store.'))
    store.name_zh = clean_text(name_zh, field=N_('Name (Chinese)'), max_length=80)
    store.name_en = clean_text(name_en, field=N_('Name (English)'), max_length=120)
    store.address_zh = clean_text(address_zh, field=N_('Address (Chinese)'), max_length=160)
    store.address_en = clean_text(address_en, field=N_('Address (English)'), max_length=200)
    store.district, store.lat, store.lon = district, lat, lon
    store.opens, store.closes = (
        f'{open_minute // 60:02d}:{open_minute % 60:02d}',
        f'{close_minute // 60:02d}:{close_minute % 60:02d}',
    )
    session.add(store)
    session.flush()
    audit.record(
        session, actor_id=actor.account_id, actor_label=actor.label, action='store.saved', target=f'store:{store.id}'
    )
    assert store.id is not None
    return store.id


def set_store_closed(session: Session, *, actor: Actor, store_id: int, closed: bool) -> None:
    """Close a store (it refuses bookings) or open it again."""
    require_role(actor, Role.admin)
    store = session.get(ResStore, store_id)
    if store is None:
        raise NotFound(N_('No such store.'))
    store.closed = closed
    session.add(store)


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
) -> ItemInfo:
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
    item = session.scalars(select(ResItem).where(ResItem.code == code)).first()  # type: ignore[arg-type]
    if item is None:
        item = ResItem(code=code, name_zh='', name_en='')
    item.name_zh = clean_text(name_zh, field=N_('Name (Chinese)'), max_length=60)
    item.name_en = clean_text(name_en, field=N_('Name (English)'), max_length=60)
    item.quota, item.quota_days, item.mode = quota, quota_days, allocation
    item.window_open_minute, item.window_days_before = minute, window_days_before
    item.noshow_grace_minutes, item.strike_limit, item.strike_days, item.ban_days = (
        noshow_grace_minutes,
        strike_limit,
        strike_days,
        ban_days,
    )
    item.active = active
    session.add(item)
    session.flush()
    audit.record(
        session, actor_id=actor.account_id, actor_label=actor.label, action='item.saved', target=f'item:{item.id}'
    )
    return item_info(item)


def plan_slots(
    session: Session, *, actor: Actor | None, store_id: int, item_id: int, day: date, slots: list[tuple[str, str, int]]
) -> list[int]:
    """Add the day's slot plan for an item at a store: (start 'HH:MM', end 'HH:MM', supply) each."""
    if actor is not None:
        require_role(actor, Role.admin)
    if session.get(ResStore, store_id) is None or session.get(ResItem, item_id) is None:
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
    ids = []
    for start_minute, end_minute, supply in planned:
        slot = ResSlot(
            store_id=store_id,
            item_id=item_id,
            day=day,
            starts_at=local_time(day, start_minute),
            ends_at=local_time(day, end_minute),
            capacity=supply,
            remaining=supply,
        )
        session.add(slot)
        session.flush()
        assert slot.id is not None
        ids.append(slot.id)
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
    booking.stage_stock(
        session,
        store_id=row.store_id,
        slot_id=slot_id,
        item_id=row.item_id,
        remaining=row.remaining,
        capacity=row.capacity,
        now=now,
    )
    if delta > 0:
        from services.reservations.waitlist import offer_released

        offer_released(session, slot_id=slot_id, now=now)
    return int(row.remaining)


def next_days(today: date, count: int = 2) -> list[date]:
    """Today and the following days."""
    return [today + timedelta(days=i) for i in range(count)]
