"""Lottery allocation that anyone can check.

1. When the first application arrives a random 32-byte seed is drawn and kept
   secret; its SHA-256 hex digest is published at once (the slot's feed and the resident page show it).
2. Applications are taken until the draw (local midnight starting the slot's day).
3. The draw: every application id `a` gets the score SHA-256(f'{seed}:{a}') (hex); applications are ranked by
   (score, id); walking the ranking, an application wins when its quantity still fits in the slot's stock.
4. After the draw the seed is revealed. Anyone can check SHA-256(seed) == published hash, and recompute the
   winners from the seed, the published applications (id, quantity) and the stock:
   `python -m services.reservations.lottery_verify record.json` (see docs/reservations.md).
"""

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import literal, select, update
from sqlmodel import Session

from models.common import utcnow
from models.reservations import AllocationMode, ReservationStatus
from services import idempotency
from services.access import Actor
from services.errors import N_, DomainError, NotFound
from services.reservations import booking, common, quota, stock
from services.reservations.common import ITEM, LOTTERY, RES, SLOT
from services.reservations.policy import draw_at


def seed_hash(seed: str) -> str:
    """The published commitment: SHA-256 of the seed's UTF-8 text, hex."""
    return hashlib.sha256(seed.encode()).hexdigest()


def rank(seed: str, application_ids: list[int]) -> list[int]:
    """Application ids in draw order."""
    return sorted(application_ids, key=lambda a: (hashlib.sha256(f'{seed}:{a}'.encode()).hexdigest(), a))


def winners(seed: str, applications: list[tuple[int, int]], stock: int) -> list[int]:
    """The winning application ids, given (id, quantity) pairs and the stock: the documented algorithm."""
    quantities = dict(applications)
    left = stock
    result: list[int] = []
    for application_id in rank(seed, list(quantities)):
        if quantities[application_id] <= left:
            result.append(application_id)
            left -= quantities[application_id]
    return sorted(result)


def ensure_seed(session: Session, *, slot_id: int) -> str:
    """Commit to a secret seed for a lottery slot (once); returns the published hash."""
    row = session.execute(select(LOTTERY.c.seed_hash).where(LOTTERY.c.slot_id == slot_id)).first()
    if row is not None:
        return str(row[0])
    seed = secrets.token_hex(32)
    session.execute(
        common.upsert(session)(LOTTERY)
        .values(slot_id=slot_id, seed=seed, seed_hash=seed_hash(seed))
        .on_conflict_do_nothing()
    )
    return str(session.execute(select(LOTTERY.c.seed_hash).where(LOTTERY.c.slot_id == slot_id)).scalar_one())


def draw(session: Session, *, slot_id: int, now: datetime | None = None) -> list[int]:
    """Draw a lottery slot (once, at or after its draw time): winners are booked, the others get their quota
    back; returns the winning reservation ids."""
    now = now or utcnow()
    slot = session.execute(
        select(SLOT.c.day, SLOT.c.capacity, SLOT.c.store_id, SLOT.c.item_id, ITEM.c.mode)
        .select_from(SLOT.join(ITEM, ITEM.c.id == SLOT.c.item_id))
        .where(SLOT.c.id == slot_id)
    ).first()
    if slot is None:
        raise NotFound(N_('No such pickup slot.'))
    if slot.mode != AllocationMode.lottery:
        raise DomainError(N_('This item is first come, first served: please book directly.'))
    if now < draw_at(slot.day):
        raise DomainError(N_('The draw takes place at {when}.'), when=common.local_text(draw_at(slot.day)))
    ensure_seed(session, slot_id=slot_id)
    claimed = common.changed(
        session,
        update(LOTTERY)
        .where(LOTTERY.c.slot_id == slot_id, LOTTERY.c.drawn_at.is_(None))
        .values(drawn_at=literal(now, LOTTERY.c.drawn_at.type)),
    )
    if claimed != 1:
        raise DomainError(N_('This slot has been drawn already.'))
    seed = session.execute(select(LOTTERY.c.seed).where(LOTTERY.c.slot_id == slot_id)).scalar_one()
    apps = session.execute(
        select(RES.c.id, RES.c.quantity, RES.c.person_id, RES.c.account_id)
        .where(RES.c.slot_id == slot_id, RES.c.status == ReservationStatus.applied)
        .order_by(RES.c.id)
    ).all()
    won = set(winners(seed, [(a.id, a.quantity) for a in apps], slot.capacity))
    total = sum(a.quantity for a in apps if a.id in won)
    for app in apps:
        status = ReservationStatus.booked if app.id in won else ReservationStatus.lost
        values: dict[str, Any] = {'status': status}
        if status == ReservationStatus.lost:
            values['closed_at'] = literal(now, RES.c.closed_at.type)
            quota.return_quota(session, person_id=app.person_id, item_id=slot.item_id, quantity=app.quantity)
        session.execute(update(RES).where(RES.c.id == app.id).values(**values))
        booking.stage_changed(session, account_id=app.account_id, reservation_ids=[app.id], status=status)
    row = stock.decrement(session, slot_id=slot_id, quantity=total, now=now) if total else None
    remaining, capacity = row if row else (slot.capacity, slot.capacity)
    stock.stage(
        session,
        store_id=slot.store_id,
        slot_id=slot_id,
        item_id=slot.item_id,
        remaining=remaining,
        capacity=capacity,
        now=now,
    )
    return sorted(won)


def draw_due(session: Session, *, now: datetime | None = None) -> int:
    """Draw every lottery slot whose time has come; returns how many were drawn."""
    now = now or utcnow()
    pending = session.execute(
        select(LOTTERY.c.slot_id, SLOT.c.day)
        .select_from(LOTTERY.join(SLOT, SLOT.c.id == LOTTERY.c.slot_id))
        .where(LOTTERY.c.drawn_at.is_(None))
    ).all()
    count = 0
    for slot_id, day in pending:
        if now >= draw_at(day):
            try:
                draw(session, slot_id=slot_id, now=now)
            except DomainError:  # refused before writing (the item is no longer a lottery): skip, never block
                continue
            count += 1
    return count


def record(session: Session, *, slot_id: int) -> dict[str, Any]:
    """The public record of a lottery slot: hash, applications, stock; after the draw also seed and winners."""
    row = session.execute(select(LOTTERY).where(LOTTERY.c.slot_id == slot_id)).first()
    slot = session.execute(select(SLOT.c.capacity, SLOT.c.day).where(SLOT.c.id == slot_id)).first()
    if row is None or slot is None:
        raise NotFound(N_('No lottery for this slot.'))
    drawn = row.drawn_at is not None
    rows = session.execute(
        select(RES.c.id, RES.c.quantity, RES.c.status, RES.c.closed_at)
        .where(RES.c.slot_id == slot_id)
        .order_by(RES.c.id)
    ).all()
    # Applications cancelled before the draw took no part in it; the list is exactly the one the draw used.
    apps = [
        a
        for a in rows
        if a.status != ReservationStatus.cancelled
        or (drawn and a.closed_at is not None and a.closed_at >= row.drawn_at)
    ]
    result: dict[str, Any] = {
        'slot_id': slot_id,
        'day': slot.day.isoformat(),
        'stock': slot.capacity,
        'seed_hash': row.seed_hash,
        'draw_at': draw_at(slot.day).isoformat(),
        'drawn_at': row.drawn_at.isoformat() if drawn else None,
        'applications': [{'id': a.id, 'quantity': a.quantity} for a in apps],
        'algorithm': 'score(a) = sha256(f"{seed}:{a}").hexdigest(); rank by (score, id); '
        'a wins while its quantity fits the stock left',
    }
    if drawn:
        result['seed'] = row.seed
        result['winners'] = [a.id for a in apps if a.status != ReservationStatus.lost]
    return result


def apply(
    session: Session,
    *,
    actor: Actor,
    slot_id: int,
    members: dict[int, int],
    now: datetime | None = None,
    key: str | None = None,
) -> booking.Booked:
    """Apply for a lottery slot (quota is held until the draw; losers get it back); a retry under the same `key`
    returns the first application."""
    when = now or utcnow()
    return idempotency.once(
        session,
        actor=actor,
        action='reservations.apply',
        key=key,
        result=booking.Booked,
        run=lambda: _apply(session, actor=actor, slot_id=slot_id, members=members, now=when),
    )


def _apply(session: Session, *, actor: Actor, slot_id: int, members: dict[int, int], now: datetime) -> booking.Booked:
    """The application itself (see `apply`)."""
    ctx = booking.check(session, actor, slot_id, members, now)
    if ctx.mode != AllocationMode.lottery:
        raise DomainError(N_('This item is first come, first served: please book directly.'))
    closes = draw_at(ctx.day)
    if now >= closes:
        raise DomainError(N_('Applications for this draw closed at {when}.'), when=common.local_text(closes))
    drawn = session.execute(select(LOTTERY.c.drawn_at).where(LOTTERY.c.slot_id == slot_id)).first()
    if drawn is not None and drawn[0] is not None:
        raise DomainError(N_('Applications for this draw closed at {when}.'), when=common.local_text(drawn[0]))
    existing = session.execute(
        select(RES.c.id).where(
            RES.c.slot_id == slot_id, RES.c.person_id.in_(list(members)), RES.c.status == ReservationStatus.applied
        )
    ).first()
    if existing is not None:
        raise DomainError(N_('Already applied for this draw.'))
    ensure_seed(session, slot_id=slot_id)
    for person_id, quantity in members.items():
        quota.take_quota(
            session,
            person_id=person_id,
            item_id=ctx.item_id,
            quantity=quantity,
            quota=ctx.quota,
            quota_days=ctx.quota_days,
            now=now,
        )
    ids, codes = booking.insert_reservations(
        session,
        actor=actor,
        slot_id=slot_id,
        store_id=ctx.store_id,
        item_id=ctx.item_id,
        members=members,
        status=ReservationStatus.applied,
        now=now,
    )
    booking.stage_changed(session, account_id=actor.account_id, reservation_ids=ids, status=ReservationStatus.applied)
    remaining = int(session.execute(select(SLOT.c.remaining).where(SLOT.c.id == slot_id)).scalar_one())
    return booking.Booked(reservation_ids=ids, codes=codes, remaining=remaining)
