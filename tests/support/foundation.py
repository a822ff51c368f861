"""Factories of the foundation's tests: one-time codes and staff sign-in through the services."""

from services import db
from services.access import Actor
from services.errors import DomainError
from services.foundation import auth

PHONE = '13900000007'  # not a demo resident: the first sign-in creates the account


def ask(phone: str = PHONE) -> str:
    """Ask for a one-time code (demo mode: it is returned)."""
    with db.session_scope() as session:
        request = auth.request_code(session, phone=phone)
    assert request.demo_code is not None and request.expires_in_s == 300
    return request.demo_code


def verify(code: str, phone: str = PHONE) -> tuple[Actor | None, DomainError | None]:
    """Sign in with a code: the actor, or the refusal."""
    with db.session_scope() as session:  # committed either way, as the sign-in page does
        return auth.verify_code(session, phone=phone, code=code)


def staff_sign_in(username: str, password: str) -> tuple[Actor | None, DomainError | None]:
    """Staff sign-in with a password: the actor, or the refusal."""
    with db.session_scope() as session:
        return auth.password_sign_in(session, username=username, password=password)
