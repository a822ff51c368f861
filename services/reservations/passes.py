"""Pickup passes: a 6-digit code and a signed QR token, neither carrying an ID number or phone.

The signing key is an HMAC-SHA256 key kept in the database (table res_secret), so passes survive restarts
and every process of a deployment signs and verifies with the same key.
"""

import base64
import hashlib
import hmac
import secrets
import threading
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from services.reservations.common import SECRET, upsert

KEY_NAME = 'pass-hmac'
TOKEN_PREFIX = 'SCCR1'
CODE_SPACE = 1_000_000
_BITS = 20  # 2**20 > CODE_SPACE: cycle-walking keeps the permutation inside 0..999999
_HALF = _BITS // 2
_MASK = (1 << _HALF) - 1
_cache: dict[str, bytes] = {}
_lock = threading.Lock()


def _engine_key(session: Session) -> str:
    """Which database a key belongs to (tests and benchmarks use several in one process)."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def signing_key(session: Session) -> bytes:
    """The pass-signing key, created once (race-free) and read from the database."""
    row = session.execute(select(SECRET.c.value).where(SECRET.c.name == KEY_NAME)).first()
    if row is None:
        value = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        session.execute(upsert(session)(SECRET).values(name=KEY_NAME, value=value).on_conflict_do_nothing())
        row = session.execute(select(SECRET.c.value).where(SECRET.c.name == KEY_NAME)).first()
        assert row is not None
    key = base64.urlsafe_b64decode(row[0])
    with _lock:
        _cache[_engine_key(session)] = key
    return key


def cached_key(session: Session) -> bytes:
    """The signing key without a database read when this process has read it before (the booking hot path)."""
    key = _cache.get(_engine_key(session))
    return key if key is not None else signing_key(session)


def _round(key: bytes, round_number: int, value: int) -> int:
    """One Feistel round function (keyed BLAKE2b)."""
    digest = hashlib.blake2b(f'{round_number}:{value}'.encode(), key=key[:32], digest_size=4).digest()
    return int.from_bytes(digest, 'big') & _MASK


def _permute(key: bytes, value: int) -> int:
    """The keyed 4-round Feistel permutation of 20-bit values."""
    left, right = value >> _HALF, value & _MASK
    for round_number in range(4):
        left, right = right, left ^ _round(key, round_number, right)
    return (left << _HALF) | right


def pickup_code(key: bytes, reservation_id: int) -> str:
    """A 6-digit code: a keyed permutation of the id, so codes of a million consecutive bookings never repeat
    and nobody can guess another person's code from their own."""
    value = reservation_id % CODE_SPACE
    while True:
        value = _permute(key, value)
        if value < CODE_SPACE:
            return f'{value:06d}'


def _signature(key: bytes, reservation_id: int, code: str, store_id: int, day: date) -> str:
    """The pass's HMAC-SHA256 over reservation, code, store and day (16 bytes, base64url)."""
    message = f'{reservation_id}.{code}.{store_id}.{day.isoformat()}'.encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip('=')


def make_token(key: bytes, *, reservation_id: int, code: str, store_id: int, day: date) -> str:
    """The text inside the pass's QR code: 'SCCR1.<reservation id>.<signature>'."""
    return f'{TOKEN_PREFIX}.{reservation_id}.{_signature(key, reservation_id, code, store_id, day)}'


def parse_token(token: str) -> tuple[int, str] | None:
    """(reservation id, signature) of a well-formed token, or None."""
    parts = token.strip().split('.')
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1].isdigit() or len(parts[1]) > 12:
        return None
    return int(parts[1]), parts[2]


def signature_ok(key: bytes, signature: str, *, reservation_id: int, code: str, store_id: int, day: date) -> bool:
    """Whether `signature` was made with `key` for exactly this reservation, code, store and day."""
    return hmac.compare_digest(signature, _signature(key, reservation_id, code, store_id, day))
