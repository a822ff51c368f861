"""Booking: first come, first served by an atomic conditional decrement; lottery applications; cancellation.

One booking is one short transaction. Nothing is read and then written back: the slot's stock and each
person's quota are changed by UPDATE statements whose WHERE clause carries the condition, so two buyers
(or one person in two sessions) can never both pass. A household is booked all or none.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from models.accounts import Person
from models.common import utcnow
from models.reservations import (
    AllocationMode,
    Reservation,
    ReservationStatus,
    ResItem,
    ResLottery,
    ResQuota,
    ResSlot,
    ResStore,
)
from services.access import Actor
from services.errors import N_, DomainError, Forbidden, NotFound
from services.events import bus
from services.reservations import passes
from services.reservations.policy import RESERVATION_CHANGED, STOCK_CHANGED, city_tz, draw_at, window_opens_at
from services.validation import mask_name

SLOT = ResSlot.__table__  # type: ignore[attr-defined]
STORE = ResStore.__table__  # type: ignore[attr-defined]
ITEM = ResItem.__table__  # type: ignore[attr-defined]
RES = Reservation.__table__  # type: ignore[attr-defined]
QUOTA = ResQuota.__table__  # type: ignore[attr-defined]
PERSON = Person.__table__  # type: ignore[attr-defined]
MAX_MEMBERS = 8


@dataclass(frozen=True)
class Booked:
    """What a booking returns: one reservation per person, and the slot's stock left."""

    reservation_ids: list[int]
    codes: list[str]
    remaining: int


def local_text(moment: datetime) -> str:
    """'2026-11-26 10:00' in the city's time zone (for messages)."""
    return f'{moment.astimezone(city_tz()):%Y-%m-%d %H:%M}'


def upsert(session: Session) -> Any:
    """The dialect's INSERT supporting ON CONFLICT."""
    return pg_insert if session.get_bind().dialect.name == 'postgresql' else sqlite_insert


def _slot_context(session: Session, slot_id: int) -> Any:
    query = (
        select(
            SLOT.c.store_id,
            SLOT.c.item_id,
            SLOT.c.day,
            SLOT.c.starts_at,
            SLOT.c.ends_at,
            STORE.c.closed,
            ITEM.c.active,
            ITEM.c.mode,
            ITEM.c.quota,
            ITEM.c.quota_days,
            ITEM.c.window_open_minute,
            ITEM.c.window_days_before,
        )
        .select_from(SLOT.join(STORE, STORE.c.id == SLOT.c.store_id).join(ITEM, ITEM.c.id == SLOT.c.item_id))
        .where(SLOT.c.id == slot_id)
    )
    row = session.execute(query).first()
    if row is None:
        raise NotFound(N_('No such pickup slot.'))
    return row


def _check(session: Session, actor: Actor, slot_id: int, members: dict[int, int], now: datetime) -> Any:
    """Everything that can be refused before stock is touched; returns the slot's context row."""
    if not members:
        raise DomainError(N_('Please choose at least one person.'))
    if len(members) > MAX_MEMBERS:
        raise DomainError(N_('At most {limit} people can be booked at once.'), limit=MAX_MEMBERS)
    ctx = _slot_context(session, slot_id)
    for quantity in members.values():
        if not isinstance(quantity, int) or not 1 <= quantity <= ctx.quota:
            raise DomainError(N_('The quantity per person must be between 1 and {quota}.'), quota=ctx.quota)
    if not ctx.active:
        raise DomainError(N_('This item is not on offer at the moment.'))
    if ctx.closed:
        raise DomainError(N_('This store is closed; please choose another store.'))
    if ctx.ends_at <= now:
        raise DomainError(N_('This pickup slot is over; please choose a later slot.'))
    opens = window_opens_at(
        window_days_before=ctx.window_days_before, window_open_minute=ctx.window_open_minute, day=ctx.day
    )
    if now < opens:
        minutes = int((opens - now).total_seconds() // 60) + 1
        raise DomainError(
            N_('Booking for this slot opens at {when} (in {minutes} min).'), when=local_text(opens), minutes=minutes
        )
    others = [p for p in members if p != actor.person_id]
    if others:
        allowed = session.execute(
            select(PERSON.c.id).where(PERSON.c.id.in_(others), PERSON.c.managed_by_account_id == actor.account_id)
        ).all()
        if len(allowed) != len(others):
            raise Forbidden(N_('You can only book for yourself and family members you manage.'))
    _check_bans(session, list(members), now)
    return ctx


def _person_name(session: Session, person_id: int) -> str:
    row = session.execute(select(PERSON.c.real_name).where(PERSON.c.id == person_id)).first()
    return row[0] if row else '?'


def _check_bans(session: Session, person_ids: list[int], now: datetime) -> None:
    from models.reservations import ResBan

    ban = ResBan.__table__  # type: ignore[attr-defined]
    row = session.execute(
        select(ban.c.person_id, ban.c.until).where(ban.c.person_id.in_(person_ids), ban.c.until > now).limit(1)
    ).first()
    if row is not None:
        raise DomainError(
            N_('{name} may not book until {until}: too many missed pickups.'),
            name=mask_name(_person_name(session, row.person_id)),
            until=local_text(row.until),
        )


def take_quota(
    session: Session, *, person_id: int, item_id: int, quantity: int, quota: int, quota_days: int, now: datetime
) -> None:
    """Count `quantity` against the person's quota in one conditional upsert (a new window starts when the old
    one has ended); refuses with the date the quota frees up."""
    now_value = literal(now, QUOTA.c.window_ends.type)
    new_end = literal(now + timedelta(days=quota_days), QUOTA.c.window_ends.type)
    expired = QUOTA.c.window_ends <= now_value
    statement = (
        upsert(session)(QUOTA)
        .values(person_id=person_id, item_id=item_id, used=quantity, window_ends=now + timedelta(days=quota_days))
        .on_conflict_do_update(
            index_elements=['person_id', 'item_id'],
            set_={
                'used': case((expired, quantity), else_=QUOTA.c.used + quantity),
                'window_ends': case((expired, new_end), else_=QUOTA.c.window_ends),
            },
            where=or_(expired, QUOTA.c.used + quantity <= quota),
        )
        .returning(QUOTA.c.used)
    )
    if session.execute(statement).first() is None:
        row = session.execute(
            select(QUOTA.c.used, QUOTA.c.window_ends).where(QUOTA.c.person_id == person_id, QUOTA.c.item_id == item_id)
        ).one()
        raise DomainError(
            N_('Over quota: {name} may book {left} more until {when} (quota: {quota} per {days} days).'),
            name=mask_name(_person_name(session, person_id)),
            left=max(quota - row.used, 0),
            when=local_text(row.window_ends),
            quota=quota,
            days=quota_days,
        )


def return_quota(session: Session, *, person_id: int, item_id: int, quantity: int) -> None:
    """Give back quota (a cancelled booking, a lost lottery application)."""
    session.execute(
        update(QUOTA)
        .where(QUOTA.c.person_id == person_id, QUOTA.c.item_id == item_id)
        .values(used=case((QUOTA.c.used > quantity, QUOTA.c.used - quantity), else_=0))
    )


def insert_reservations(
    session: Session,
    *,
    actor: Actor,
    slot_id: int,
    store_id: int,
    item_id: int,
    members: dict[int, int],
    status: ReservationStatus,
    now: datetime,
) -> tuple[list[int], list[str]]:
    """Insert one reservation per person (with its pickup code); returns ids and codes."""
    key = passes.cached_key(session)
    ids: list[int] = []
    codes: list[str] = []
    for person_id, quantity in members.items():
        new_id = session.execute(
            RES.insert()
            .values(
                slot_id=slot_id,
                store_id=store_id,
                item_id=item_id,
                person_id=person_id,
                account_id=actor.account_id,
                quantity=quantity,
                status=status,
                code='',
                created_at=now,
                handled_by='',
            )
            .returning(RES.c.id)
        ).scalar_one()
        code = passes.pickup_code(key, new_id)
        session.execute(update(RES).where(RES.c.id == new_id).values(code=code))
        ids.append(new_id)
        codes.append(code)
    return ids, codes


def decrement(session: Session, *, slot_id: int, quantity: int, now: datetime) -> Any:
    """The atomic conditional decrement: the new stock, or None when not enough is left (nothing changed)."""
    now_value = literal(now, SLOT.c.updated_at.type)
    return session.execute(
        update(SLOT)
        .where(SLOT.c.id == slot_id, SLOT.c.remaining >= quantity)
        .values(
            remaining=SLOT.c.remaining - quantity,
            updated_at=now_value,
            sold_out_at=case((SLOT.c.remaining == quantity, now_value), else_=SLOT.c.sold_out_at),
        )
        .returning(SLOT.c.remaining, SLOT.c.capacity)
    ).first()


def stage_stock(
    session: Session, *, store_id: int, slot_id: int, item_id: int, remaining: int, capacity: int, now: datetime
) -> None:
    """Tell watching pages (after commit) what a slot has left."""
    bus.stage(
        session,
        STOCK_CHANGED,
        str(store_id),
        slot_id=slot_id,
        item_id=item_id,
        remaining=remaining,
        capacity=capacity,
        at=now.timestamp(),
    )


def reserve(
    session: Session, *, actor: Actor, slot_id: int, members: dict[int, int], now: datetime | None = None
) -> Booked:
    """Book `members` (person id → quantity) in a first-come-first-served slot: all of them, or none."""
    now = now or utcnow()
    ctx = _check(session, actor, slot_id, members, now)
    if ctx.mode != AllocationMode.fcfs:
        raise DomainError(N_('This item is allocated by lottery: please apply for the draw instead.'))
    for person_id, quantity in members.items():
        take_quota(
            session,
            person_id=person_id,
            item_id=ctx.item_id,
            quantity=quantity,
            quota=ctx.quota,
            quota_days=ctx.quota_days,
            now=now,
        )
    ids, codes = insert_reservations(
        session,
        actor=actor,
        slot_id=slot_id,
        store_id=ctx.store_id,
        item_id=ctx.item_id,
        members=members,
        status=ReservationStatus.booked,
        now=now,
    )
    total = sum(members.values())
    # Last, so the hot row is locked for the shortest time (PostgreSQL): a refusal rolls everything back.
    row = decrement(session, slot_id=slot_id, quantity=total, now=now)
    if row is None:
        left = session.execute(select(SLOT.c.remaining).where(SLOT.c.id == slot_id)).scalar_one()
        if left == 0:
            raise DomainError(N_('Sold out: this slot has no stock left. You can join the waitlist.'))
        raise DomainError(N_('Not enough stock: this slot has only {remaining} left.'), remaining=left)
    stage_stock(
        session, store_id=ctx.store_id, slot_id=slot_id, item_id=ctx.item_id, remaining=row[0], capacity=row[1], now=now
    )
    bus.stage(session, RESERVATION_CHANGED, str(actor.account_id), reservation_ids=ids, status='booked')
    return Booked(reservation_ids=ids, codes=codes, remaining=row[0])


def apply(
    session: Session, *, actor: Actor, slot_id: int, members: dict[int, int], now: datetime | None = None
) -> Booked:
    """Apply for a lottery slot (quota is held until the draw; losers get it back)."""
    now = now or utcnow()
    ctx = _check(session, actor, slot_id, members, now)
    if ctx.mode != AllocationMode.lottery:
        raise DomainError(N_('This item is first come, first served: please book directly.'))
    closes = draw_at(ctx.day)
    if now >= closes:
        raise DomainError(N_('Applications for this draw closed at {when}.'), when=local_text(closes))
    lottery = ResLottery.__table__  # type: ignore[attr-defined]
    drawn = session.execute(select(lottery.c.drawn_at).where(lottery.c.slot_id == slot_id)).first()
    if drawn is not None and drawn[0] is not None:
        raise DomainError(N_('Applications for this draw closed at {when}.'), when=local_text(drawn[0]))
    existing = session.execute(
        select(RES.c.id).where(
            RES.c.slot_id == slot_id, RES.c.person_id.in_(list(members)), RES.c.status == ReservationStatus.applied
        )
    ).first()
    if existing is not None:
        raise DomainError(N_('Already applied for this draw.'))
    from services.reservations.lottery import ensure_seed

    ensure_seed(session, slot_id=slot_id)
    for person_id, quantity in members.items():
        take_quota(
            session,
            person_id=person_id,
            item_id=ctx.item_id,
            quantity=quantity,
            quota=ctx.quota,
            quota_days=ctx.quota_days,
            now=now,
        )
    ids, codes = insert_reservations(
        session,
        actor=actor,
        slot_id=slot_id,
        store_id=ctx.store_id,
        item_id=ctx.item_id,
        members=members,
        status=ReservationStatus.applied,
        now=now,
    )
    bus.stage(session, RESERVATION_CHANGED, str(actor.account_id), reservation_ids=ids, status='applied')
    remaining = session.execute(select(SLOT.c.remaining).where(SLOT.c.id == slot_id)).scalar_one()
    return Booked(reservation_ids=ids, codes=codes, remaining=remaining)


def release_stock(session: Session, *, slot_id: int, quantity: int, now: datetime) -> tuple[int, int]:
    """Put `quantity` back into a slot; returns (remaining, capacity)."""
    now_value = literal(now, SLOT.c.updated_at.type)
    row = session.execute(
        update(SLOT)
        .where(SLOT.c.id == slot_id)
        .values(remaining=SLOT.c.remaining + quantity, updated_at=now_value, sold_out_at=None)
        .returning(SLOT.c.remaining, SLOT.c.capacity)
    ).one()
    return row[0], row[1]


def cancel(session: Session, *, actor: Actor, reservation_id: int, now: datetime | None = None) -> int:
    """Cancel a booking (or lottery application) before its slot starts: stock and quota return at once.
    Returns the slot's stock afterwards."""
    now = now or utcnow()
    row = session.execute(
        select(
            RES.c.slot_id,
            RES.c.store_id,
            RES.c.item_id,
            RES.c.person_id,
            RES.c.account_id,
            RES.c.quantity,
            RES.c.status,
            SLOT.c.starts_at,
            SLOT.c.day,
            PERSON.c.managed_by_account_id,
            PERSON.c.account_id.label('own'),
        )
        .select_from(RES.join(SLOT, SLOT.c.id == RES.c.slot_id).join(PERSON, PERSON.c.id == RES.c.person_id))
        .where(RES.c.id == reservation_id)
    ).first()
    if row is None or actor.account_id not in (row.account_id, row.managed_by_account_id, row.own):
        raise NotFound(N_('No such reservation.'))
    if row.status not in (ReservationStatus.booked, ReservationStatus.applied):
        raise DomainError(
            N_('This reservation cannot be cancelled any more (it is {status}).'), status=status_label(row.status)
        )
    if row.starts_at <= now:
        raise DomainError(N_('A reservation can only be cancelled before its slot starts.'))
    changed = session.execute(
        update(RES)
        .where(RES.c.id == reservation_id, RES.c.status == row.status)
        .values(status=ReservationStatus.cancelled, closed_at=literal(now, RES.c.closed_at.type))
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise DomainError(N_('This reservation was changed meanwhile; please reload.'))
    return_quota(session, person_id=row.person_id, item_id=row.item_id, quantity=row.quantity)
    bus.stage(session, RESERVATION_CHANGED, str(row.account_id), reservation_ids=[reservation_id], status='cancelled')
    if row.status == ReservationStatus.applied:
        return int(session.execute(select(SLOT.c.remaining).where(SLOT.c.id == row.slot_id)).scalar_one())
    remaining, capacity = release_stock(session, slot_id=row.slot_id, quantity=row.quantity, now=now)
    from services.reservations.waitlist import offer_released

    remaining = offer_released(session, slot_id=row.slot_id, now=now)
    stage_stock(
        session,
        store_id=row.store_id,
        slot_id=row.slot_id,
        item_id=row.item_id,
        remaining=remaining,
        capacity=capacity,
        now=now,
    )
    return remaining


STATUS_LABELS = {
    'booked': N_('booked'),
    'picked_up': N_('picked up'),
    'cancelled': N_('reservation cancelled'),
    'no_show': N_('not picked up'),
    'applied': N_('applied for the draw'),
    'lost': N_('not drawn'),
}


def status_label(status: str) -> str:
    """The msgid naming a reservation status."""
    return STATUS_LABELS.get(str(getattr(status, 'value', status)), str(status))


def active_day_filter(day: date) -> Any:
    """Reservations active on `day` (used by the pharmacist's lookup)."""
    return and_(SLOT.c.day == day, RES.c.status == ReservationStatus.booked)
