"""The waitlist: when a store is out, people queue; released stock is held for the next one for 10 minutes."""

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Row, func, literal, select, update
from sqlmodel import Session

from models.common import utcnow
from models.reservations import ReservationStatus, ResWaitPublic, WaitStatus
from services import idempotency
from services.access import Actor
from services.errors import N_, DomainError, Forbidden, NotFound
from services.events import bus
from services.reservations import booking, common, quota, stock
from services.reservations.common import ITEM, PERSON, SLOT, STORE, WAIT
from services.reservations.events import WAIT_OFFERED, WaitOffered
from services.reservations.policy import OFFER_MINUTES, local_day
from services.validation import mask_name


def join(
    session: Session,
    *,
    actor: Actor,
    store_id: int,
    item_id: int,
    day: date,
    person_id: int,
    quantity: int,
    now: datetime | None = None,
    key: str | None = None,
) -> int:
    """Queue for an item at a store on a day; returns the place in line (1 = next; a retry under the same `key`:
    the first answer)."""
    when = now or utcnow()
    run = partial(_join, session, actor=actor, store_id=store_id, item_id=item_id, day=day, person_id=person_id,
                  quantity=quantity, now=when)  # fmt: skip
    return idempotency.once(session, actor=actor, action='reservations.wait', key=key, result=int, run=run)


def _join(
    session: Session, *, actor: Actor, store_id: int, item_id: int, day: date, person_id: int, quantity: int,
    now: datetime,
) -> int:  # fmt: skip
    """Joining itself (see `join`)."""
    if person_id != actor.person_id:
        owner = session.execute(select(PERSON.c.managed_by_account_id).where(PERSON.c.id == person_id)).first()
        if owner is None or owner[0] != actor.account_id:
            raise Forbidden(N_('You can only book for yourself and family members you manage.'))
    item = session.execute(select(ITEM.c.quota, ITEM.c.active).where(ITEM.c.id == item_id)).first()
    store = session.execute(select(STORE.c.closed).where(STORE.c.id == store_id)).first()
    if item is None or store is None:
        raise NotFound(N_('No such pickup slot.'))
    if not item.active:
        raise DomainError(N_('This item is not on offer at the moment.'))
    if store.closed:
        raise DomainError(N_('This store is closed; please choose another store.'))
    if not 1 <= quantity <= item.quota:
        raise DomainError(N_('The quantity per person must be between 1 and {quota}.'), quota=item.quota)
    if day < local_day(now):
        raise DomainError(N_('This pickup slot is over; please choose a later slot.'))
    booking.check_bans(session, [person_id], now)
    queued = session.execute(
        select(WAIT.c.id).where(
            WAIT.c.store_id == store_id,
            WAIT.c.item_id == item_id,
            WAIT.c.day == day,
            WAIT.c.person_id == person_id,
            WAIT.c.status.in_([WaitStatus.waiting, WaitStatus.offered]),
        )
    ).first()
    if queued is not None:
        raise DomainError(N_('Already on the waitlist of this store for that day.'))
    new_id = session.execute(
        common.upsert(session)(WAIT)
        .values(
            store_id=store_id,
            item_id=item_id,
            day=day,
            person_id=person_id,
            account_id=actor.account_id,
            quantity=quantity,
            status=WaitStatus.waiting,
            created_at=now,
        )
        .on_conflict_do_nothing()  # uq_res_wait_open: a twin that joined meanwhile, in another session
        .returning(WAIT.c.id)
    ).scalar_one_or_none()
    if new_id is None:
        raise DomainError(N_('Already on the waitlist of this store for that day.'))
    return _position(session, new_id)


def _position(session: Session, wait_id: int) -> int:
    """The place in line of a waiting entry (1 = next)."""
    row = session.execute(select(WAIT.c.store_id, WAIT.c.item_id, WAIT.c.day).where(WAIT.c.id == wait_id)).one()
    ahead = session.execute(
        select(func.count()).where(
            WAIT.c.store_id == row.store_id,
            WAIT.c.item_id == row.item_id,
            WAIT.c.day == row.day,
            WAIT.c.status == WaitStatus.waiting,
            WAIT.c.id < wait_id,
        )
    ).scalar_one()
    return int(ahead) + 1


def offer_released(session: Session, *, slot_id: int, now: datetime) -> int:
    """Offer a slot's free stock to the waitlist, in order, holding it for 10 minutes; returns the stock left."""
    slot = session.execute(
        select(SLOT.c.store_id, SLOT.c.item_id, SLOT.c.day, SLOT.c.ends_at, SLOT.c.remaining).where(
            SLOT.c.id == slot_id
        )
    ).one()
    remaining = int(slot.remaining)
    if slot.ends_at <= now:
        return remaining
    expires = now + timedelta(minutes=OFFER_MINUTES)
    while remaining > 0:
        nxt = session.execute(
            select(WAIT.c.id, WAIT.c.account_id, WAIT.c.quantity)
            .where(
                WAIT.c.store_id == slot.store_id,
                WAIT.c.item_id == slot.item_id,
                WAIT.c.day == slot.day,
                WAIT.c.status == WaitStatus.waiting,
                WAIT.c.quantity <= remaining,
            )
            .order_by(WAIT.c.id)
            .limit(1)
        ).first()
        if nxt is None:
            break
        held = stock.decrement(session, slot_id=slot_id, quantity=nxt.quantity, now=now)
        if held is None:
            break
        session.execute(
            update(WAIT)
            .where(WAIT.c.id == nxt.id, WAIT.c.status == WaitStatus.waiting)
            .values(
                status=WaitStatus.offered,
                offered_slot_id=slot_id,
                offer_expires_at=literal(expires, WAIT.c.offer_expires_at.type),
            )
        )
        remaining = held[0]
        bus.stage(session, WAIT_OFFERED, WaitOffered(wait_id=nxt.id, expires_at=expires), key=nxt.account_id)
    return remaining


def accept(session: Session, *, actor: Actor, wait_id: int, now: datetime | None = None, key: str | None = None) -> int:
    """Take the stock held for you: it becomes a reservation in the offered slot; returns its id (a retry under
    the same `key`: the same id)."""
    when = now or utcnow()
    run = partial(_accept, session, actor=actor, wait_id=wait_id, now=when)
    return idempotency.once(session, actor=actor, action='reservations.accept', key=key, result=int, run=run)


def _accept(session: Session, *, actor: Actor, wait_id: int, now: datetime) -> int:
    """Accepting itself (see `accept`)."""
    row = session.execute(select(WAIT).where(WAIT.c.id == wait_id)).first()
    if row is None or row.account_id != actor.account_id:
        raise NotFound(N_('No such waitlist entry.'))
    if row.status != WaitStatus.offered or row.offer_expires_at is None:
        raise DomainError(N_('There is no offer to accept for this waitlist entry.'))
    if row.offer_expires_at <= now:
        raise DomainError(N_('This offer expired at {when}.'), when=common.local_text(row.offer_expires_at))
    item = session.execute(select(ITEM.c.quota, ITEM.c.quota_days).where(ITEM.c.id == row.item_id)).one()
    changed = common.changed(
        session,
        update(WAIT)
        .where(WAIT.c.id == wait_id, WAIT.c.status == WaitStatus.offered)
        .values(status=WaitStatus.accepted),
    )
    if changed != 1:
        raise DomainError(N_('There is no offer to accept for this waitlist entry.'))
    quota.take_quota(
        session,
        person_id=row.person_id,
        item_id=row.item_id,
        quantity=row.quantity,
        quota=item.quota,
        quota_days=item.quota_days,
        now=now,
    )
    ids, _codes = booking.insert_reservations(
        session,
        actor=actor,
        slot_id=row.offered_slot_id,
        store_id=row.store_id,
        item_id=row.item_id,
        members={row.person_id: row.quantity},
        status=ReservationStatus.booked,
        now=now,
    )
    booking.stage_changed(session, account_id=actor.account_id, reservation_ids=ids, status=ReservationStatus.booked)
    return ids[0]


def leave(session: Session, *, actor: Actor, wait_id: int, now: datetime | None = None) -> None:
    """Leave the waitlist (an offer held for you goes to the next person)."""
    now = now or utcnow()
    row = session.execute(select(WAIT).where(WAIT.c.id == wait_id)).first()
    if row is None or row.account_id != actor.account_id:
        raise NotFound(N_('No such waitlist entry.'))
    if row.status not in (WaitStatus.waiting, WaitStatus.offered):
        return
    _close(session, row, WaitStatus.cancelled, now)


def _close(session: Session, row: Row[Any], status: WaitStatus, now: datetime) -> bool:
    """Close an open entry (an offer held for it goes to the next in line); False when it changed meanwhile."""
    changed = common.changed(
        session, update(WAIT).where(WAIT.c.id == row.id, WAIT.c.status == row.status).values(status=status)
    )
    if changed != 1:
        return False
    if row.status == WaitStatus.offered and row.offered_slot_id is not None:
        slot_id = row.offered_slot_id
        _remaining, capacity = stock.release(session, slot_id=slot_id, quantity=row.quantity, now=now)
        remaining = offer_released(session, slot_id=slot_id, now=now)
        stock.stage(
            session,
            store_id=row.store_id,
            slot_id=slot_id,
            item_id=row.item_id,
            remaining=remaining,
            capacity=capacity,
            now=now,
        )
    return True


def expire_offers(session: Session, *, now: datetime | None = None) -> int:
    """Offers not taken within 10 minutes expire; their stock goes to the next in line. Returns how many."""
    now = now or utcnow()
    rows = session.execute(
        select(WAIT)
        .where(
            WAIT.c.status == WaitStatus.offered, WAIT.c.offer_expires_at <= literal(now, WAIT.c.offer_expires_at.type)
        )
        .limit(500)
    ).all()
    return sum(1 for row in rows if _close(session, row, WaitStatus.expired, now))


def mine(session: Session, *, actor: Actor) -> list[ResWaitPublic]:
    """The actor's waitlist entries that are still open."""
    rows = session.execute(
        select(
            WAIT,
            STORE.c.name_zh,
            STORE.c.name_en,
            ITEM.c.name_zh.label('item_zh'),
            ITEM.c.name_en.label('item_en'),
            PERSON.c.real_name,
        )
        .select_from(
            WAIT.join(STORE, STORE.c.id == WAIT.c.store_id)
            .join(ITEM, ITEM.c.id == WAIT.c.item_id)
            .join(PERSON, PERSON.c.id == WAIT.c.person_id)
        )
        .where(WAIT.c.account_id == actor.account_id, WAIT.c.status.in_([WaitStatus.waiting, WaitStatus.offered]))
        .order_by(WAIT.c.id)
    ).all()
    return [
        ResWaitPublic(
            id=r.id,
            status=str(r.status.value if hasattr(r.status, 'value') else r.status),
            quantity=r.quantity,
            person_id=r.person_id,
            masked_name=mask_name(r.real_name),
            store_id=r.store_id,
            store_name_zh=r.name_zh,
            store_name_en=r.name_en,
            item_name_zh=r.item_zh,
            item_name_en=r.item_en,
            day=r.day,
            position=_position(session, r.id) if r.status == WaitStatus.waiting else 0,
            offer_expires_at=r.offer_expires_at,
            offered_slot_id=r.offered_slot_id,
        )
        for r in rows
    ]


def length(session: Session, *, store_id: int, item_id: int, day: date) -> int:
    """How many are waiting."""
    return int(
        session.execute(
            select(func.count()).where(
                WAIT.c.store_id == store_id,
                WAIT.c.item_id == item_id,
                WAIT.c.day == day,
                WAIT.c.status == WaitStatus.waiting,
            )
        ).scalar_one()
    )
