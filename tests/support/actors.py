"""Actors of the demo city, read from the real database."""

from datetime import timedelta

from sqlmodel import select

from models.accounts import Account, OneTimeCode
from services import db
from services.access import Actor, load_actor
from services.foundation.demo import DEMO_PASSWORD, demo_id_number

__all__ = ['DEMO_PASSWORD', 'actor', 'admin', 'demo_id_number', 'shift_codes']


def actor(*, phone: str | None = None, username: str | None = None) -> Actor:
    """The signed-in view of a demo account, by phone (residents) or username (staff)."""
    with db.read_session() as session:
        query = select(Account).where(Account.phone == phone if phone is not None else Account.username == username)
        account = session.exec(query).one()
        found = load_actor(session, account.id)
    assert found is not None
    return found


def admin() -> Actor:
    """The demo city admin."""
    return actor(username='admin')


def shift_codes(delta: timedelta, phone: str) -> None:
    """Move the stored times of this phone's one-time codes into the past, instead of sleeping."""
    with db.session_scope() as session:
        for otp in session.exec(select(OneTimeCode).where(OneTimeCode.phone == phone)):
            otp.created_at -= delta
            otp.expires_at -= delta
            session.add(otp)
