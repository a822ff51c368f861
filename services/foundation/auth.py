"""Signing in: residents with a phone and a one-time code, staff with a username and a password."""

import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlmodel import Session, col, func, select

from models.accounts import STAFF_ROLES, Account, AccountPublic, OneTimeCode, Role
from models.common import utcnow
from services import audit, passwords
from services.access import Actor, load_actor, require_role
from services.errors import N_, DomainError, NotFound
from services.settings import settings
from services.validation import mask_phone, normalize_phone

log = logging.getLogger(__name__)
USERNAME_RE = re.compile(r'[a-z0-9_.-]{3,40}')


class CodeSender(Protocol):
    def send(self, phone: str, code: str) -> None: ...


class LogSender:
    """Writes the code to the log; an SMS gateway would implement the same `send`."""

    def send(self, phone: str, code: str) -> None:
        log.info('one-time code for %s: %s', mask_phone(phone), code)


sender: CodeSender = LogSender()


@dataclass(frozen=True)
class CodeRequest:
    phone: str
    expires_in_s: int
    demo_code: str | None  # shown on screen only in demo mode


def _hash_code(phone: str, code: str) -> str:
    return hmac.new(settings.storage_secret.encode(), f'{phone}:{code}'.encode(), hashlib.sha256).hexdigest()


def request_code(session: Session, *, phone: str) -> CodeRequest:
    """Issue a 6-digit code for `phone`, within 1 a minute and 10 an hour."""
    phone = normalize_phone(phone)
    now = utcnow()
    last = session.exec(
        select(OneTimeCode).where(OneTimeCode.phone == phone).order_by(col(OneTimeCode.created_at).desc())
    ).first()
    if last is not None and now - last.created_at < timedelta(minutes=1):
        wait = 60 - int((now - last.created_at).total_seconds())
        raise DomainError(N_('A code was sent less than a minute ago; you can ask again in {seconds} s.'),
                          seconds=max(wait, 1))  # fmt: skip
    hour_ago = now - timedelta(hours=1)
    in_hour = session.exec(
        select(func.count()).where(OneTimeCode.phone == phone, OneTimeCode.created_at > hour_ago)
    ).one()
    if in_hour >= settings.otp_per_hour:
        raise DomainError(N_('Too many codes for this phone in one hour; please try again later.'))
    code = f'{secrets.randbelow(10**6):06d}'
    session.add(OneTimeCode(phone=phone, code_hash=_hash_code(phone, code),
                            expires_at=now + timedelta(seconds=settings.otp_ttl_seconds)))  # fmt: skip
    session.flush()
    sender.send(phone, code)
    return CodeRequest(phone=phone, expires_in_s=settings.otp_ttl_seconds,
                       demo_code=code if settings.demo_mode else None)  # fmt: skip


def verify_code(session: Session, *, phone: str, code: str) -> tuple[Actor | None, DomainError | None]:
    """Check a code; on success sign the resident in (creating the account on first sign-in).

    Returns (actor, None) or (None, error): a wrong try must be counted, so the caller commits and then raises.
    """
    phone = normalize_phone(phone)
    code = unicodedata.normalize('NFKC', code or '').strip()  # full-width digits from a Chinese keyboard
    if not re.fullmatch(r'[0-9]{6}', code):
        return None, DomainError(N_('The code has 6 digits.'))
    now = utcnow()
    otp = session.exec(
        select(OneTimeCode)
        .where(OneTimeCode.phone == phone, col(OneTimeCode.used_at).is_(None))
        .order_by(col(OneTimeCode.created_at).desc())
    ).first()
    if otp is None:
        return None, DomainError(N_('There is no open code for this phone; please ask for a code.'))
    if otp.expires_at <= now:
        return None, DomainError(N_('This code has expired (codes are valid for 5 minutes); please ask for a new one.'))
    if otp.attempts >= settings.otp_max_attempts:
        return None, DomainError(N_('Too many wrong tries for this code; please ask for a new one.'))
    if not hmac.compare_digest(otp.code_hash, _hash_code(phone, code)):
        otp.attempts += 1
        session.add(otp)
        audit.record(session, actor_id=None, actor_label=mask_phone(phone), action='signin.failed', detail='otp')
        left = settings.otp_max_attempts - otp.attempts
        if left <= 0:
            return None, DomainError(N_('Too many wrong tries for this code; please ask for a new one.'))
        return None, DomainError(N_('Wrong code; {left} tries left.'), left=left)
    otp.used_at = now
    session.add(otp)
    account = session.exec(select(Account).where(Account.phone == phone)).first()
    if account is None:
        account = Account(role=Role.resident, phone=phone, display_name=mask_phone(phone))
        session.add(account)
        session.flush()
    if not account.active:
        return None, DomainError(N_('This account is disabled; please contact the city service desk.'))
    account.last_login_at = now
    session.add(account)
    audit.record(session, actor_id=account.id, actor_label=mask_phone(phone), action='signin', detail='otp')
    session.flush()
    return load_actor(session, account.id), None


def password_sign_in(session: Session, *, username: str, password: str) -> tuple[Actor | None, DomainError | None]:
    """Check a staff password, locking the account after repeated failures. Returns (actor, error)."""
    username = (username or '').strip().lower()
    if not username or not password:
        return None, DomainError(N_('Please enter username and password.'))
    if len(username) > 40 or len(password) > 200:
        return None, DomainError(N_('Wrong username or password.'))
    now = utcnow()
    # A name no account can have is not looked up (PostgreSQL refuses NUL bytes in a query, for one).
    account = None
    if USERNAME_RE.fullmatch(username):
        account = session.exec(select(Account).where(Account.username == username)).first()
    if account is None:
        audit.record(session, actor_id=None, actor_label=username, action='signin.failed', detail='unknown user')
        return None, DomainError(N_('Wrong username or password.'))
    if account.locked_until and account.locked_until > now:
        minutes = int((account.locked_until - now).total_seconds() // 60) + 1
        return None, DomainError(N_('Account locked after repeated failed sign-ins; try again in {minutes} min.'),
                                 minutes=minutes)  # fmt: skip
    if not passwords.verify_password(account.password_hash, password):
        account.failed_logins += 1
        detail = f'failure {account.failed_logins}'
        error = DomainError(N_('Wrong username or password.'))
        if account.failed_logins >= settings.login_max_failures:
            account.locked_until = now + timedelta(minutes=settings.login_lock_minutes)
            account.failed_logins = 0
            detail += ', locked'
            error = DomainError(N_('Account locked after repeated failed sign-ins; try again in {minutes} min.'),
                                minutes=settings.login_lock_minutes)  # fmt: skip
        session.add(account)
        audit.record(session, actor_id=account.id, actor_label=username, action='signin.failed', detail=detail)
        return None, error
    if not account.active:
        return None, DomainError(N_('This account is disabled; please contact the city service desk.'))
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now
    session.add(account)
    audit.record(session, actor_id=account.id, actor_label=username, action='signin', detail='password')
    session.flush()
    return load_actor(session, account.id), None


def create_staff(session: Session, *, actor: Actor, username: str, display_name: str, role: Role | str,
                 password: str) -> AccountPublic:  # fmt: skip
    """An admin creates a staff account."""
    require_role(actor, Role.admin)
    username = (username or '').strip().lower()
    if not USERNAME_RE.fullmatch(username):
        raise DomainError(N_('A username has 3 to 40 characters: lowercase letters, digits, _ . or -.'))
    display_name = (display_name or '').strip()
    if not display_name or len(display_name) > 60:
        raise DomainError(N_('Please enter a display name of at most {limit} characters.'), limit=60)
    try:
        role = Role(role)
    except ValueError:
        raise DomainError(N_('Please choose a staff role.')) from None
    if role not in STAFF_ROLES:
        raise DomainError(N_('Please choose a staff role.'))
    if len(password or '') < 8 or len(password) > 200:
        raise DomainError(N_('A password needs at least 8 characters.'))
    if session.exec(select(Account).where(Account.username == username)).first() is not None:
        raise DomainError(N_('The username {username} is taken.'), username=username)
    account = Account(role=role, username=username, display_name=display_name,
                      password_hash=passwords.hash_password(password))  # fmt: skip
    session.add(account)
    session.flush()
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='account.created',
                 target=f'account:{account.id}', detail=f'{username} as {role.value}')  # fmt: skip
    return to_public(account)


def change_role(session: Session, *, actor: Actor, account_id: int, role: Role | str) -> AccountPublic:
    """An admin changes a staff account's role (audited)."""
    require_role(actor, Role.admin)
    account = session.get(Account, account_id)
    if account is None or account.role is Role.resident:
        raise NotFound(N_('No such staff account.'))
    try:
        new_role = Role(role)
    except ValueError:
        raise DomainError(N_('Please choose a staff role.')) from None
    if new_role not in STAFF_ROLES:
        raise DomainError(N_('Please choose a staff role.'))
    if account.id == actor.account_id and new_role is not Role.admin:
        raise DomainError(N_('You cannot take the admin role away from yourself.'))
    old = account.role
    account.role = new_role
    session.add(account)
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='role.changed',
                 target=f'account:{account.id}', detail=f'{old.value} -> {new_role.value}')  # fmt: skip
    return to_public(account)


def set_active(session: Session, *, actor: Actor, account_id: int, active: bool) -> AccountPublic:
    """An admin disables or re-enables an account (and lifts a lock)."""
    require_role(actor, Role.admin)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(N_('No such account.'))
    if account.id == actor.account_id and not active:
        raise DomainError(N_('You cannot disable your own account.'))
    account.active = active
    account.locked_until = None
    account.failed_logins = 0
    session.add(account)
    audit.record(
        session,
        actor_id=actor.account_id,
        actor_label=actor.label,
        action='account.enabled' if active else 'account.disabled',
        target=f'account:{account.id}',
    )
    return to_public(account)


def list_staff(session: Session, *, actor: Actor) -> list[AccountPublic]:
    """Every staff account, for the admin page."""
    require_role(actor, Role.admin)
    rows = session.exec(select(Account).where(Account.role != Role.resident).order_by(col(Account.username)))
    return [to_public(a) for a in rows]


def to_public(account: Account) -> AccountPublic:
    """What the admin page may show of an account."""
    assert account.id is not None
    return AccountPublic(id=account.id, role=account.role, display_name=account.display_name,
                         username=account.username, masked_phone=mask_phone(account.phone) or None,
                         active=account.active,
                         locked=bool(account.locked_until and account.locked_until > utcnow()))  # fmt: skip


def set_preferences(session: Session, *, actor: Actor, language: str | None = None,
                    large_text: bool | None = None) -> None:  # fmt: skip
    """Remember the actor's language and large-text choice."""
    account = session.get(Account, actor.account_id)
    if account is None:
        raise NotFound(N_('No such account.'))
    if language is not None:
        if language not in ('zh-CN', 'en-US'):
            raise DomainError(N_('Unknown language.'))
        account.language = language
    if large_text is not None:
        account.large_text = large_text
    session.add(account)
