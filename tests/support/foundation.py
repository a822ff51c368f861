"""Factories of the foundation's tests: one-time codes and staff sign-in through the services, failure times moved
into the past instead of sleeping, and calls sent at the same moment from threads with their own sessions."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from sqlmodel import Session, col, select

from models.accounts import Account, KnownAddress, SignInFailure
from services import db
from services.access import Actor
from services.errors import DomainError
from services.foundation import auth

PHONE = '13900000007'  # not a demo resident: the first sign-in creates the account
T = TypeVar('T')


def ask(phone: str = PHONE, *, address: str = '', browser: str = '') -> str:
    """Ask for a one-time code (demo mode: it is returned), from a client address and browser session if given."""
    with db.session_scope() as session:
        request = auth.request_code(session, phone=phone, client_address=address, browser_key=browser)
    assert request.demo_code is not None and request.expires_in_s == 300
    return request.demo_code


def ask_refused(phone: str = PHONE, *, address: str = '', browser: str = '') -> DomainError:
    """Ask for a code that must be refused: the refusal."""
    try:
        ask(phone, address=address, browser=browser)
    except DomainError as error:
        return error
    raise AssertionError('the code request was not refused')


def verify(code: str, phone: str = PHONE) -> tuple[Actor | None, DomainError | None]:
    """Sign in with a code: the actor, or the refusal."""
    with db.session_scope() as session:  # committed either way, as the sign-in page does
        return auth.verify_code(session, phone=phone, code=code)


def staff_sign_in(username: str, password: str, *, address: str = '') -> tuple[Actor | None, DomainError | None]:
    """Staff sign-in with a password (from a client address if given): the actor, or the refusal."""
    with db.session_scope() as session:  # committed either way, as the sign-in page does
        return auth.password_sign_in(session, username=username, password=password, client_address=address)


def shift_failures(delta: timedelta) -> None:
    """Move the stored sign-in history (wrong-password times, the last success or lifted wait of each account, the
    known addresses) into the past, instead of sleeping through a wait."""
    with db.session_scope() as session:
        for failure in session.exec(select(SignInFailure)):
            failure.at -= delta
            session.add(failure)
        for account in session.exec(select(Account).where(col(Account.failures_reset_at).is_not(None))):
            assert account.failures_reset_at is not None
            account.failures_reset_at -= delta
            session.add(account)
        for known in session.exec(select(KnownAddress)):
            known.last_success_at -= delta
            session.add(known)


def account_id(username: str) -> int:
    """The id of a staff account."""
    with db.read_session() as session:
        found = session.exec(select(Account.id).where(Account.username == username)).one()
    assert found is not None
    return found


def at_once(count: int, call: Callable[[Session, int], T]) -> list[T | DomainError]:
    """`call(session, i)` for i in range(count), each in its own thread with its own unit of work (committed after, as
    the pages do), released together by a barrier: on PostgreSQL once every connection is open and its transaction
    begun, so that the calls really meet in the database; on SQLite before that, since its writers queue at BEGIN.
    The results in order; a refusal is returned as the DomainError."""
    barrier = threading.Barrier(count)
    connect_first = db.dialect() == 'postgresql'

    def one(index: int) -> T | DomainError:
        if not connect_first:
            barrier.wait()
        try:
            with db.session_scope() as session:
                if connect_first:
                    session.connection()
                    barrier.wait()
                return call(session, index)
        except DomainError as error:
            return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))
