"""Shared by the reservation services: the tables as Core objects, the reservation join, times in messages, the
dialect's upsert."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Row, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from models.accounts import Person
from models.reservations import (
    ResBan,
    Reservation,
    ResItem,
    ResLottery,
    ResQuota,
    ResSecret,
    ResSlot,
    ResStore,
    ResStrike,
    ResWait,
)
from services.reservations.policy import city_tz


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


SLOT = _table(ResSlot)
STORE = _table(ResStore)
ITEM = _table(ResItem)
RES = _table(Reservation)
QUOTA = _table(ResQuota)
WAIT = _table(ResWait)
LOTTERY = _table(ResLottery)
STRIKE = _table(ResStrike)
BAN = _table(ResBan)
SECRET = _table(ResSecret)
PERSON = _table(Person)


def local_text(moment: datetime) -> str:
    """'2026-11-26 10:00' in the city's time zone (for messages)."""
    return f'{moment.astimezone(city_tz()):%Y-%m-%d %H:%M}'


def upsert(session: Session) -> Any:
    """The dialect's INSERT supporting ON CONFLICT."""
    return pg_insert if session.get_bind().dialect.name == 'postgresql' else sqlite_insert


def changed(session: Session, statement: Executable) -> int:
    """How many rows a conditional UPDATE changed (0: its condition did not hold any more)."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def person_name(session: Session, person_id: int) -> str:
    """A person's real name (for refusals shown to the one who manages them)."""
    row = session.execute(select(PERSON.c.real_name).where(PERSON.c.id == person_id)).first()
    return str(row[0]) if row else '?'


def reservation_rows(session: Session, *where: Any, limit: int = 50) -> Sequence[Row[Any]]:
    """Reservations with their slot's times, the person, the item and the store (one join for every screen that
    shows a reservation: the owner's passes, Home, the pharmacist's counter); newest slot first."""
    query = (
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
    )
    return session.execute(query).all()
