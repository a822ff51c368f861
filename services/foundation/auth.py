"""Signing in: residents with a phone and a one-time code, staff with a username and a password."""

import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Protocol

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from models.accounts import STAFF_ROLES, Account, AccountPublic, OneTimeCode, Role, SignInAlert
from models.common import utcnow
from services import audit, passwords
from services.access import Actor, load_actor, require_role
from services.errors import N_, DomainError, NotFound
from services.foundation import limits, sessions
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


def request_code(session: Session, *, phone: str, client_address: str = '', browser_key: str = '') -> CodeRequest:
    """Issue a 6-digit code for `phone`: 1 a minute and 10 an hour per phone, and per client address and browser
    session as the settings say ('' = not known: that limit is not applied)."""
    phone = normalize_phone(phone)
    address, tag = limits.address_key(client_address), limits.session_tag(browser_key)
    # Requests sent at once for one phone, address or session are counted one after the other, not all as the first.
    limits.hold(session, f'otp:phone:{phone}', *([f'otp:address:{address}'] if address else []),
                *([f'otp:session:{tag}'] if tag else []))  # fmt: skip
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
    limits.check_code_request(session, phone=phone, address=address, tag=tag, now=now)
    code = f'{secrets.randbelow(10**6):06d}'
    session.add(OneTimeCode(phone=phone, code_hash=_hash_code(phone, code), created_at=now,
                            expires_at=now + timedelta(seconds=settings.otp_ttl_seconds), client_address=address,
                            session_tag=tag))  # fmt: skip
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
    # A try is taken before the code is compared, in one conditional statement: of any number of guesses sent at
    # the same moment, the database lets at most otp_max_attempts through (it orders the updates of one row).
    tries = session.exec(
        update(OneTimeCode)
        .where(
            col(OneTimeCode.id) == otp.id,
            col(OneTimeCode.used_at).is_(None),
            col(OneTimeCode.attempts) < settings.otp_max_attempts,
        )  # fmt: skip
        .values(attempts=OneTimeCode.attempts + 1)
        .returning(col(OneTimeCode.attempts))
    ).scalar_one_or_none()
    if tries is None:
        session.refresh(otp)
        if otp.used_at is not None:  # a sign-in at the same moment used it
            return None, DomainError(N_('There is no open code for this phone; please ask for a code.'))
        return None, DomainError(N_('Too many wrong tries for this code; please ask for a new one.'))
    if not hmac.compare_digest(otp.code_hash, _hash_code(phone, code)):
        audit.record(session, actor_id=None, actor_label=mask_phone(phone), action='signin.failed', detail='otp')
        left = settings.otp_max_attempts - tries
        if left <= 0:
            return None, DomainError(N_('Too many wrong tries for this code; please ask for a new one.'))
        return None, DomainError(N_('Wrong code; {left} tries left.'), left=left)
    used = session.exec(
        update(OneTimeCode).where(col(OneTimeCode.id) == otp.id, col(OneTimeCode.used_at).is_(None)).values(used_at=now)
    )
    if used.rowcount != 1:  # single use, also against the same right code sent twice at once
        return None, DomainError(N_('There is no open code for this phone; please ask for a code.'))
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


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Checked when no account has the username, so that an unknown name costs what a wrong password costs: made by
    # the same hasher with the same parameters as every account's hash, of a random password nobody can type.
    return passwords.hash_password(secrets.token_urlsafe(24))


def password_sign_in(session: Session, *, username: str, password: str,
                     client_address: str = '') -> tuple[Actor | None, DomainError | None]:  # fmt: skip
    """Check a staff password. Wrong ones make later tries wait, growing (never a lock-out). Returns (actor, error).

    A wait is a refusal that says how long, computed from stored failure times: nothing sleeps."""
    username = (username or '').strip().lower()
    if not username or not password:
        return None, DomainError(N_('Please enter username and password.'))
    wrong = DomainError(N_('Wrong username or password.'))
    dummy = _dummy_hash()  # made on the first sign-in of the process, whoever it is for
    if len(username) > 40 or len(password) > 200:
        passwords.verify_password(dummy, password[:200])  # as long as a real check
        return None, wrong
    # A name no account can have is not looked up (PostgreSQL refuses NUL bytes in a query, for one); such names
    # share one key for their waits, as any unknown name has its own.
    key = username if USERNAME_RE.fullmatch(username) else ''
    address = limits.address_key(client_address)
    limits.hold(session, f'signin:{key}')  # tries on one username are counted one after the other
    now = utcnow()
    account = session.exec(select(Account).where(Account.username == key)).first() if key else None
    state = limits.login_state(session, username=key, address=address, account=account, now=now)
    wait = state.wait_s(now)
    if wait > 0:
        return None, DomainError(N_('Wait {seconds} s before the next try.'), seconds=wait)
    stored = account.password_hash if account is not None and account.password_hash else None
    if not passwords.verify_password(stored or dummy, password) or account is None or stored is None:
        limits.record_failure(session, state=state, username=key, address=address, account=account, now=now)
        detail = 'unknown user'
        if account is not None:
            account.failed_logins += 1
            session.add(account)
            detail = f'failure {account.failed_logins}'
        audit.record(session, actor_id=account.id if account is not None else None, actor_label=username,
                     action='signin.failed', detail=detail)  # fmt: skip
        return None, wrong
    if not account.active:
        return None, DomainError(N_('This account is disabled; please contact the city service desk.'))
    limits.record_success(session, account=account, address=address, now=now)
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
    if new_role is not old:  # every open page of the account goes to sign-in: what it may see has changed
        sessions.end_all(session, account_id=account_id, reason='role_changed')
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='role.changed',
                 target=f'account:{account.id}', detail=f'{old.value} -> {new_role.value}')  # fmt: skip
    return to_public(account)


def set_active(session: Session, *, actor: Actor, account_id: int, active: bool) -> AccountPublic:
    """An admin disables or enables an account (and lifts any wait)."""
    require_role(actor, Role.admin)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(N_('No such account.'))
    if account.id == actor.account_id and not active:
        raise DomainError(N_('You cannot disable your own account.'))
    account.active = active
    account.locked_until = None
    account.failed_logins = 0
    account.failures_reset_at = utcnow()  # enabling also lifts any wait
    session.add(account)
    if not active:  # a disabled account's open pages (a checkpoint left open) end at once, in every process
        sessions.end_all(session, account_id=account_id, reason='disabled')
    audit.record(
        session,
        actor_id=actor.account_id,
        actor_label=actor.label,
        action='account.enabled' if active else 'account.disabled',
        target=f'account:{account.id}',
    )
    return to_public(account)


def lift_wait(session: Session, *, actor: Actor, account_id: int) -> AccountPublic:
    """An admin lets an account's next password try be checked at once: its earlier failures stop counting."""
    require_role(actor, Role.admin)
    account = session.get(Account, account_id)
    if account is None or account.role is Role.resident:
        raise NotFound(N_('No such staff account.'))
    failures = account.failed_logins
    account.failed_logins = 0
    account.locked_until = None
    account.failures_reset_at = utcnow()
    session.add(account)
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='account.wait_lifted',
                 target=f'account:{account.id}', detail=f'after {failures} wrong passwords')  # fmt: skip
    return to_public(account)


def list_staff(session: Session, *, actor: Actor) -> list[AccountPublic]:
    """Every staff account, for the admin page (with how many wrong passwords in a row slow it)."""
    require_role(actor, Role.admin)
    slowed = limits.slowed_accounts(session, now=utcnow())
    rows = session.exec(select(Account).where(Account.role != Role.resident).order_by(col(Account.username)))
    return [to_public(a, slowed=a.id in slowed) for a in rows]


def sign_in_alerts(session: Session, *, actor: Actor, hours: float = 24.0) -> list[SignInAlert]:
    """Repeated failed sign-ins of the last `hours` (newest first), for the admin's notice."""
    require_role(actor, Role.admin)
    entries = limits.recent_alerts(session, since=utcnow() - timedelta(hours=hours))
    return [SignInAlert(at=e.at, target=e.target, detail=e.detail) for e in entries]


def to_public(account: Account, *, slowed: bool = False) -> AccountPublic:
    """What the admin page may show of an account."""
    assert account.id is not None
    return AccountPublic(id=account.id, role=account.role, display_name=account.display_name,
                         username=account.username, masked_phone=mask_phone(account.phone) or None,
                         active=account.active, failed_logins=account.failed_logins, slowed=slowed)  # fmt: skip


def purge_sign_in_failures(session: Session) -> int:
    """Delete failure times that no longer count (a job); returns how many."""
    return limits.purge(session, now=utcnow())


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
