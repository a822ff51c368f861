"""Cancelling a booking or a lottery application before its slot: stock and quota return at once."""

from datetime import datetime

from sqlalchemy import literal, select, update
from sqlmodel import Session

from models.common import utcnow
from models.reservations import ReservationStatus
from services import idempotency
from services.access import Actor
from services.errors import N_, DomainError, NotFound
from services.reservations import common, stock
from services.reservations.booking import stage_changed, status_label
from services.reservations.common import PERSON, RES, SLOT
from services.reservations.quota import return_quota
from services.reservations.waitlist import offer_released


def cancel(
    session: Session, *, actor: Actor, reservation_id: int, now: datetime | None = None, key: str | None = None
) -> int:
    """Cancel a booking (or lottery application) before its slot starts: stock and quota return at once.
    Returns the slot's stock afterwards (a retry under the same `key`: the first answer)."""
    when = now or utcnow()
    return idempotency.once(
        session,
        actor=actor,
        action='reservations.cancel',
        key=key,
        result=int,
        run=lambda: _cancel(session, actor=actor, reservation_id=reservation_id, now=when),
    )


def _cancel(session: Session, *, actor: Actor, reservation_id: int, now: datetime) -> int:
    """The cancellation itself (see `cancel`)."""
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
    changed = common.changed(
        session,
        update(RES)
        .where(RES.c.id == reservation_id, RES.c.status == row.status)
        .values(status=ReservationStatus.cancelled, closed_at=literal(now, RES.c.closed_at.type)),
    )
    if changed != 1:
        raise DomainError(N_('This reservation was changed meanwhile; please reload.'))
    return_quota(session, person_id=row.person_id, item_id=row.item_id, quantity=row.quantity)
    stage_changed(
        session, account_id=row.account_id, reservation_ids=[reservation_id], status=ReservationStatus.cancelled
    )
    if row.status == ReservationStatus.applied:
        return int(session.execute(select(SLOT.c.remaining).where(SLOT.c.id == row.slot_id)).scalar_one())
    _remaining, capacity = stock.release(session, slot_id=row.slot_id, quantity=row.quantity, now=now)
    remaining = offer_released(session, slot_id=row.slot_id, now=now)
    stock.stage(
        session,
        store_id=row.store_id,
        slot_id=row.slot_id,
        item_id=row.item_id,
        remaining=remaining,
        capacity=capacity,
        now=now,
    )
    return remaining
