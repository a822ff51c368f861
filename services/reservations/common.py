"""Shared by the reservation services: the tables as Core objects, times in messages, the dialect's upsert."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from models.accounts import Person
from models.reservations import Reservation, ResItem, ResQuota, ResSlot, ResStore
from services.reservations.policy import city_tz

SLOT = ResSlot.__table__  # type: ignore[attr-defined]
STORE = ResStore.__table__  # type: ignore[attr-defined]
ITEM = ResItem.__table__  # type: ignore[attr-defined]
RES = Reservation.__table__  # type: ignore[attr-defined]
QUOTA = ResQuota.__table__  # type: ignore[attr-defined]
PERSON = Person.__table__  # type: ignore[attr-defined]


def local_text(moment: datetime) -> str:
    """'2026-11-26 10:00' in the city's time zone (for messages)."""
    return f'{moment.astimezone(city_tz()):%Y-%m-%d %H:%M}'


def upsert(session: Session) -> Any:
    """The dialect's INSERT supporting ON CONFLICT."""
    return pg_insert if session.get_bind().dialect.name == 'postgresql' else sqlite_insert


def person_name(session: Session, person_id: int) -> str:
    """A person's real name (for refusals shown to the one who manages them)."""
    row = session.execute(select(PERSON.c.real_name).where(PERSON.c.id == person_id)).first()
    return row[0] if row else '?'
