"""Actors of the demo city, read from the real database."""

from sqlmodel import select

from models.accounts import Account
from services import db
from services.access import Actor, load_actor
from services.foundation.demo import DEMO_PASSWORD, demo_id_number

__all__ = ['DEMO_PASSWORD', 'actor', 'admin', 'demo_id_number']


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
