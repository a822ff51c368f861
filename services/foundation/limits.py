"""Sign-in limits that cannot be turned against people: who may ask for a one-time code, and how long a password
guesser waits — growing waits instead of lock-outs, counted from stored failure times (docs/security/signin.md)."""

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, text
from sqlmodel import Session, col, func, select

from models.accounts import Account, AuditEntry, KnownAddress, OneTimeCode, SignInFailure
from models.common import utcnow
from services import audit, db
from services.errors import N_, DomainError
from services.settings import settings

HOUR = timedelta(hours=1)
FAILURE_WINDOW = timedelta(hours=24)  # older failures no longer count (and are purged)
KNOWN_FOR = timedelta(days=30)  # an address a staff account signed in from stays its own this long
MAX_WAIT_S = 900.0  # no wait is longer than 15 minutes: a guesser is slowed, the owner is never shut out for long
# Wrong passwords for one username from all addresses together before waits begin for addresses that username
# never signed in from (spread guessing). Twice the per-address allowance; a setting if it needs tuning.
ACCOUNT_FREE_FAILURES = 10
ALERT = 'login.suspicious'


def address_key(client_address: str) -> str:
    """What limits count a client by: its address; an IPv6 address by its /64 network (one subscriber's)."""
    raw = (client_address or '').strip()[:64]
    try:
        ip = ipaddress.ip_address(raw.split('%', 1)[0])
    except ValueError:
        return ''.join(c for c in raw if c.isprintable())
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def session_tag(browser_key: str) -> str:
    """A keyed hash of a browser session's id: the database can count by it but never learns the id itself."""
    if not browser_key:
        return ''
    return hmac.new(
        settings.storage_secret.encode(), f'otp-session:{browser_key}'.encode(), hashlib.sha256
    ).hexdigest()[:32]


def hold(session: Session, *keys: str) -> None:
    """Serialise the units of work that share any of `keys` until they end (PostgreSQL: transaction advisory
    locks, taken in one order so two never wait for each other; SQLite: its one writer at a time)."""
    if session.get_bind().dialect.name != 'postgresql':
        db.write_gate(session)
        return
    for number in sorted({int.from_bytes(hashlib.sha256(k.encode()).digest()[:8], 'big', signed=True) for k in keys}):
        session.connection().execute(text('SELECT pg_advisory_xact_lock(:n)'), {'n': number})


def _minutes(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds() / 60))


def check_code_request(session: Session, *, phone: str, address: str, tag: str, now: datetime) -> None:
    """Refuse a code request over the per-address or per-browser-session limit ('' = not known: not counted)."""
    hour_ago = now - HOUR
    limit = settings.otp_per_address_hour
    if address and limit > 0:
        recent = session.exec(
            select(OneTimeCode.created_at)
            .where(OneTimeCode.client_address == address, OneTimeCode.created_at > hour_ago)
            .order_by(col(OneTimeCode.created_at).desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:  # a slot frees when the limit-th newest request is an hour old
            raise DomainError(N_('Too many codes were asked for from your network in the last hour; please try '
                                 'again in {minutes} min.'), minutes=_minutes(recent[-1] + HOUR - now))  # fmt: skip
    limit = settings.otp_phones_per_session_hour
    if tag and limit > 0:
        rows = session.exec(
            select(OneTimeCode.phone, func.max(OneTimeCode.created_at))
            .where(OneTimeCode.session_tag == tag, OneTimeCode.created_at > hour_ago)
            .group_by(col(OneTimeCode.phone))
        ).all()
        latest = {p: _aware(t) for p, t in rows}
        if phone not in latest and len(latest) >= limit:
            frees_at = sorted(latest.values())[len(latest) - limit] + HOUR  # enough phones out of the hour
            raise DomainError(N_('This browser asked for codes for {limit} different phones in the last hour; '
                                 'please try again in {minutes} min.'), limit=limit,
                              minutes=_minutes(frees_at - now))  # fmt: skip


def _aware(value: datetime) -> datetime:
    # An aggregate's value may come back without the column's time zone on SQLite; stored times are UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Tally:
    count: int = 0
    last: datetime | None = None

    def wait(self, free: int, now: datetime) -> float:
        """Seconds still to wait after `count` failures when the first `free` cost nothing; then waits double."""
        if self.count < free or self.last is None:
            return 0.0
        delay = min(settings.login_delay_seconds * 2.0 ** min(self.count - free, 30), MAX_WAIT_S)
        return max(0.0, delay - (now - self.last).total_seconds())


@dataclass(frozen=True)
class LoginState:
    """The failures that decide whether a password try may be checked now."""

    pair: Tally  # this username from this address, since its last success
    everywhere: Tally  # this username from every address, since its last success
    from_address: Tally  # every username from this address, in the last hour
    known_address: bool  # the account signed in from here before: spread guessing never slows it here

    def wait_s(self, now: datetime) -> int:
        """Whole seconds to wait before the next try (0: check it now)."""
        waits = [self.pair.wait(settings.login_max_failures, now),
                 self.from_address.wait(settings.login_failures_per_address_hour, now)]  # fmt: skip
        if not self.known_address:
            waits.append(self.everywhere.wait(ACCOUNT_FREE_FAILURES, now))
        return math.ceil(max(waits))


def _tally(session: Session, *conditions: object) -> Tally:
    count, last = session.exec(
        select(func.count(), func.max(SignInFailure.at)).where(*conditions)  # type: ignore[arg-type]
    ).one()
    return Tally(int(count), _aware(last) if last is not None else None)


def login_state(session: Session, *, username: str, address: str, account: Account | None, now: datetime) -> LoginState:
    """Count the failures that apply to a try (the same queries for unknown usernames as for known ones)."""
    since = now - FAILURE_WINDOW
    if account is not None and account.failures_reset_at is not None:
        since = max(since, account.failures_reset_at)
    account_id = account.id if account is not None else 0
    known = session.exec(
        select(func.count()).where(
            KnownAddress.account_id == account_id,
            KnownAddress.address == address,
            KnownAddress.last_success_at > now - KNOWN_FOR,
        )  # fmt: skip
    ).one()
    return LoginState(
        pair=_tally(
            session, SignInFailure.username == username, SignInFailure.address == address, SignInFailure.at > since
        ),  # fmt: skip
        everywhere=_tally(session, SignInFailure.username == username, SignInFailure.at > since),
        from_address=_tally(session, SignInFailure.address == address, SignInFailure.at > now - HOUR)
        if address
        else Tally(),
        known_address=bool(known) and bool(address),
    )


def _alert(session: Session, *, target: str, detail: str) -> None:
    audit.record(session, actor_id=None, actor_label='system', action=ALERT, target=target, detail=detail)


def record_failure(session: Session, *, state: LoginState, username: str, address: str, account: Account | None,
                   now: datetime) -> None:  # fmt: skip
    """Store a wrong password's time; alert the admins when it starts the waits of an account or an address."""
    # Timed when the check ended (after the slow hash), so a wait is never shortened by the check's own time.
    session.add(SignInFailure(at=utcnow(), username=username, address=address,
                              account_id=account.id if account is not None else None))  # fmt: skip
    where = address or 'an unknown address'
    if account is not None:
        target = f'account:{account.id}'
        if state.pair.count + 1 == settings.login_max_failures:
            _alert(session, target=target, detail=f'{state.pair.count + 1} wrong passwords in a row for {username} '
                   f'from {where}: further tries from there wait longer each time')  # fmt: skip
        if state.everywhere.count + 1 == ACCOUNT_FREE_FAILURES:
            _alert(session, target=target, detail=f'{ACCOUNT_FREE_FAILURES} wrong passwords in a row for {username} '
                   'from several addresses: tries from places it never signed in from wait longer')  # fmt: skip
    if address and state.from_address.count + 1 == settings.login_failures_per_address_hour:
        _alert(session, target=f'address:{address}', detail=f'{state.from_address.count + 1} wrong passwords from '
               f'{address} within an hour (last tried: {username}): its further tries wait longer')  # fmt: skip


def record_success(session: Session, *, account: Account, address: str, now: datetime) -> None:
    """A right password: earlier failures stop counting, and this address becomes one of the account's own."""
    account.failed_logins = 0
    account.locked_until = None
    account.failures_reset_at = now
    session.add(account)
    if not address or account.id is None:
        return
    known = session.exec(
        select(KnownAddress).where(KnownAddress.account_id == account.id, KnownAddress.address == address)
    ).first()
    if known is None:
        known = KnownAddress(account_id=account.id, address=address)
    known.last_success_at = now
    session.add(known)


def slowed_accounts(session: Session, *, now: datetime) -> dict[int, int]:
    """Account id → failures since its last success, for accounts whose tries wait from somewhere now or soon."""
    rows = session.exec(
        select(Account.id, func.count())
        .join(SignInFailure, col(SignInFailure.username) == col(Account.username))
        .where(SignInFailure.at > now - FAILURE_WINDOW)
        .where((col(Account.failures_reset_at).is_(None)) | (col(SignInFailure.at) > col(Account.failures_reset_at)))
        .group_by(col(Account.id))
    ).all()
    return {int(i): int(n) for i, n in rows if i is not None and n >= settings.login_max_failures}


def recent_alerts(session: Session, *, since: datetime, limit: int = 20) -> list[AuditEntry]:
    """The newest 'login.suspicious' alerts since `since`."""
    query = select(AuditEntry).where(AuditEntry.action == ALERT, AuditEntry.at > since)
    return list(session.exec(query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(limit)))


def purge(session: Session, *, now: datetime) -> int:
    """Delete failures that no longer count and addresses not used for a month; returns how many failures went."""
    result = session.exec(delete(SignInFailure).where(col(SignInFailure.at) < now - FAILURE_WINDOW))
    session.exec(delete(KnownAddress).where(col(KnownAddress.last_success_at) < now - KNOWN_FOR))
    return int(result.rowcount)
