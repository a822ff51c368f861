"""A slot's stock: the atomic conditional decrement, putting stock back, and telling watching pages."""

from datetime import datetime

from sqlalchemy import case, literal, update
from sqlmodel import Session

from services.events import bus
from services.reservations.common import SLOT
from services.reservations.events import STOCK_CHANGED, StockChanged


def decrement(session: Session, *, slot_id: int, quantity: int, now: datetime) -> tuple[int, int] | None:
    """The atomic conditional decrement: (remaining, capacity), or None when not enough is left (nothing changed)."""
    now_value = literal(now, SLOT.c.updated_at.type)
    row = session.execute(
        update(SLOT)
        .where(SLOT.c.id == slot_id, SLOT.c.remaining >= quantity)
        .values(
            remaining=SLOT.c.remaining - quantity,
            updated_at=now_value,
            sold_out_at=case((SLOT.c.remaining == quantity, now_value), else_=SLOT.c.sold_out_at),
        )
        .returning(SLOT.c.remaining, SLOT.c.capacity)
    ).first()
    return (int(row[0]), int(row[1])) if row is not None else None


def release(session: Session, *, slot_id: int, quantity: int, now: datetime) -> tuple[int, int]:
    """Put `quantity` back into a slot; returns (remaining, capacity)."""
    now_value = literal(now, SLOT.c.updated_at.type)
    row = session.execute(
        update(SLOT)
        .where(SLOT.c.id == slot_id)
        .values(remaining=SLOT.c.remaining + quantity, updated_at=now_value, sold_out_at=None)
        .returning(SLOT.c.remaining, SLOT.c.capacity)
    ).one()
    return int(row[0]), int(row[1])


def stage(
    session: Session, *, store_id: int, slot_id: int, item_id: int, remaining: int, capacity: int, now: datetime
) -> None:
    """Tell watching pages (after commit) what a slot has left."""
    payload = StockChanged(slot_id=slot_id, item_id=item_id, remaining=remaining, capacity=capacity, at=now)
    bus.stage(session, STOCK_CHANGED, payload, key=store_id)
