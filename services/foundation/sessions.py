"""Browser sessions: a random token in a cookie, its hash in the database, a lifetime by role, and an end that
reaches every open page of the session (sign-out) or of the account (disabled, role changed) in every process.

Sign-in is two steps, because only an HTTP response can set a cookie: the sign-in page verifies the code or
password and gets a one-time ticket (valid TICKET_SECONDS), then the browser opens /auth/enter with it, which
creates the session, sets the cookie and also gives the browser a new NiceGUI session id — a session value planted
before sign-in is worth nothing after it.
"""

import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.accounts import Account, Role
from models.common import utcnow
from models.sessions import BrowserSession, SignInTicket
from services.access import Actor, load_actor
from services.events import bus
from services.foundation.events import SESSIONS_ENDED, SessionsEnded
from services.settings import settings

COOKIE = 'scc_session'
TICKET_SECONDS = 60


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lifetime(role: Role) -> timedelta:
    """How long a sign-in of this role lasts (settings: SESSION_HOURS_STAFF, SESSION_DAYS_RESIDENT)."""
    if role is Role.resident:
        return timedelta(days=settings.session_days_resident)
    return timedelta(hours=settings.session_hours_staff)


def issue_ticket(session: Session, *, actor: Actor) -> str:
    """A one-time ticket for an actor whose code or password was just verified."""
    ticket = secrets.token_urlsafe(24)
    session.add(SignInTicket(ticket_hash=_digest(ticket), account_id=actor.account_id,
                             expires_at=utcnow() + timedelta(seconds=TICKET_SECONDS)))  # fmt: skip
    return ticket


def redeem_ticket(session: Session, *, ticket: str) -> tuple[str, Actor, int] | None:
    """Use a ticket once: a new session's cookie token, its actor and max age in seconds; None if not valid."""
    now = utcnow()
    claimed = session.execute(
        update(SignInTicket)
        .where(col(SignInTicket.ticket_hash) == _digest(ticket), col(SignInTicket.used_at).is_(None),
               col(SignInTicket.expires_at) > now)
        .values(used_at=now)
        .returning(col(SignInTicket.account_id))
    ).first()  # fmt: skip
    if claimed is None:
        return None
    actor = load_actor(session, claimed[0])
    if actor is None:
        return None
    return open_session(session, actor=actor)


def open_session(session: Session, *, actor: Actor) -> tuple[str, Actor, int]:
    """A new session for `actor`: the cookie's token, the actor (with the session id) and the max age in seconds."""
    token = secrets.token_urlsafe(32)
    span = lifetime(actor.role)
    row = BrowserSession(token_hash=_digest(token), account_id=actor.account_id, expires_at=utcnow() + span)
    session.add(row)
    session.flush()
    return token, replace(actor, session_id=row.id), int(span.total_seconds())


def actor_for(session: Session, *, token: str | None) -> Actor | None:
    """The actor of a live session (not ended, not expired, account active), or None."""
    if not token:
        return None
    row = session.exec(select(BrowserSession).where(BrowserSession.token_hash == _digest(token))).first()
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        return None
    actor = load_actor(session, row.account_id)
    return None if actor is None else replace(actor, session_id=row.id)


def end_session(session: Session, *, token: str | None, reason: str = 'signed_out') -> None:
    """End one browser's session (sign-out): every open page of it goes to sign-in."""
    if not token:
        return
    row = session.exec(select(BrowserSession).where(BrowserSession.token_hash == _digest(token))).first()
    if row is None or row.ended_at is not None:
        return
    row.ended_at, row.end_reason = utcnow(), reason
    session.add(row)
    bus.stage(session, SESSIONS_ENDED, SessionsEnded(account_id=row.account_id, session_id=row.id, reason=reason),
              key=row.account_id)  # fmt: skip


def end_all(session: Session, *, account_id: int, reason: str) -> int:
    """End every session of an account (disabled, role changed); returns how many were open."""
    now = utcnow()
    ended = session.execute(
        update(BrowserSession)
        .where(col(BrowserSession.account_id) == account_id, col(BrowserSession.ended_at).is_(None))
        .values(ended_at=now, end_reason=reason)
    ).rowcount  # type: ignore[attr-defined]
    bus.stage(session, SESSIONS_ENDED, SessionsEnded(account_id=account_id, session_id=None, reason=reason),
              key=account_id)  # fmt: skip
    return int(ended or 0)


def is_staff_account(session: Session, *, account_id: int) -> bool:
    """Whether an account signs in as staff (where sign-out sends it)."""
    account = session.get(Account, account_id)
    return account is not None and account.role is not Role.resident
