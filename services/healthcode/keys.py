"""Signing keys: Ed25519 keys kept in the database (they survive restarts), rotated and revoked by admins,
published as a key set so that a checkpoint can verify without the server."""

import base64
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.accounts import Role
from models.common import utcnow
from models.healthcode import SigningKey
from services import audit, db
from services.access import Actor, require_role
from services.errors import N_, DomainError, NotFound
from services.events import DomainEvent, bus
from services.healthcode.events import KEYS_CHANGED, KeysChanged
from services.healthcode.tokens import PREFIX, PublicKeyInfo

RELOAD_SECONDS = 10.0
RAW = serialization.Encoding.Raw


@dataclass(frozen=True)
class KeyEntry:
    """A signing key as this process holds it."""

    kid: str
    public: Ed25519PublicKey
    private: Ed25519PrivateKey
    active: bool
    revoked: bool
    created_at: float


class _Ring:
    def __init__(self) -> None:
        self.entries: dict[str, KeyEntry] = {}
        self.public: dict[str, PublicKeyInfo] = {}
        self.loaded = 0.0
        self.lock = threading.Lock()


_ring = _Ring()


def forget() -> None:
    """Drop the cached keys (tests; or another process rotated them)."""
    with _ring.lock:
        _ring.entries = {}
        _ring.public = {}
        _ring.loaded = 0.0


def _invalidate(_event: DomainEvent[KeysChanged]) -> None:
    # A services-side cache: the next look-up reloads the ring (this process or another rotated or revoked a key).
    _ring.loaded = 0.0


def _entry(row: SigningKey) -> KeyEntry:
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(row.private_b64))
    return KeyEntry(kid=row.kid, public=private.public_key(), private=private, active=row.active,
                    revoked=row.revoked_at is not None, created_at=row.created_at.timestamp())  # fmt: skip


def _retired(entry: KeyEntry) -> KeyEntry:
    return KeyEntry(entry.kid, entry.public, entry.private, False, entry.revoked, entry.created_at)


def _row(entry: KeyEntry) -> SigningKey:
    private = entry.private.private_bytes(RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = entry.public.public_bytes(RAW, serialization.PublicFormat.Raw)
    return SigningKey(kid=entry.kid, private_b64=base64.b64encode(private).decode(),
                      public_b64=base64.b64encode(public).decode(), active=entry.active)  # fmt: skip


def _load(session: Session) -> None:
    if not bus.is_subscribed(KEYS_CHANGED, _invalidate):  # (again after a bus reset in tests)
        bus.subscribe(KEYS_CHANGED, _invalidate)
    rows = {row.kid: _entry(row) for row in session.exec(select(SigningKey))}
    with _ring.lock:
        # Keys this process signed with stay known even if the database lost them (they are written back).
        merged = {**_ring.entries, **rows}
        if any(e.active for e in rows.values()):  # the database names the active key
            merged = {k: e if k in rows or not e.active else _retired(e) for k, e in merged.items()}
        _ring.entries = merged
        _ring.public = {k: PublicKeyInfo(e.public, e.revoked) for k, e in merged.items()}
        _ring.loaded = time.monotonic()


def public_keys(session: Session) -> dict[str, PublicKeyInfo]:
    """kid → public key and revocation, cached (reloaded every few seconds and on change)."""
    if time.monotonic() - _ring.loaded > RELOAD_SECONDS:
        _load(session)
    return _ring.public


def public_keys_for(session: Session, kid: str) -> dict[str, PublicKeyInfo]:
    """Like public_keys, but reloads at once when `kid` is not known yet (a key made by another process)."""
    keys = public_keys(session)
    if kid not in keys:
        _load(session)
        keys = _ring.public
    return keys


def signing_key(session: Session) -> KeyEntry:
    """The active key; created (in its own unit of work) when there is none."""
    public_keys(session)
    active = [e for e in _ring.entries.values() if e.active and not e.revoked]
    if active:
        return max(active, key=lambda e: e.created_at)
    return ensure_key()


def ensure_key() -> KeyEntry:
    """Make sure the database holds an active key (and every key this process signs with); returns it."""
    try:
        return _ensure_key()
    except IntegrityError:
        # Two start-ups at once (several processes, or a test restarting the app) wrote the same key id:
        # the other one won, and a second look finds its row.
        return _ensure_key()


def _ensure_key() -> KeyEntry:
    with db.session_scope() as session:
        _load(session)
        known = {row.kid for row in session.exec(select(SigningKey))}
        for entry in _ring.entries.values():
            if entry.kid not in known:
                session.add(_row(entry))
        active = [e for e in _ring.entries.values() if e.active and not e.revoked]
        if not active:
            new = _new_entry()
            session.add(_row(new))
            active = [new]
        session.flush()
    forget_timer()
    return max(active, key=lambda e: e.created_at)


def forget_timer() -> None:
    """Reload from the database next time."""
    _ring.loaded = 0.0


def _new_entry() -> KeyEntry:
    private = Ed25519PrivateKey.generate()
    return KeyEntry(kid=secrets.token_hex(4), public=private.public_key(), private=private, active=True,
                    revoked=False, created_at=time.time())  # fmt: skip


def rotate_key(session: Session, *, actor: Actor) -> str:
    """Start signing with a new key; older keys keep verifying until revoked. Returns the new key id."""
    require_role(actor, Role.admin)
    for row in session.exec(select(SigningKey).where(col(SigningKey.active))):
        row.active = False
        session.add(row)
    new = _new_entry()
    session.add(_row(new))
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='healthcode.key_rotated',
                 target=f'key:{new.kid}')  # fmt: skip
    bus.stage(session, KEYS_CHANGED, KeysChanged(kid=new.kid), key=new.kid)
    return new.kid


def revoke_key(session: Session, *, actor: Actor, kid: str) -> None:
    """Revoke a key: codes it signed stop verifying at once; a new key signs from now on."""
    require_role(actor, Role.admin)
    row = session.get(SigningKey, kid)
    if row is None:
        raise NotFound(N_('No such key.'))
    if row.revoked_at is not None:
        raise DomainError(N_('This key is revoked already.'))
    row.revoked_at = utcnow()
    was_active, row.active = row.active, False
    session.add(row)
    if was_active:
        new = _new_entry()
        session.add(_row(new))
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='healthcode.key_revoked',
                 target=f'key:{kid}')  # fmt: skip
    with _ring.lock:
        _ring.entries.pop(kid, None)
    bus.stage(session, KEYS_CHANGED, KeysChanged(kid=kid, revoked=True), key=kid)


def key_set(session: Session) -> dict[str, Any]:
    """The published key set (JSON): every key with its status; private parts never leave the server."""
    rows = session.exec(select(SigningKey).order_by(col(SigningKey.created_at)))
    keys = []
    for row in rows:
        x = base64.urlsafe_b64encode(base64.b64decode(row.public_b64)).decode().rstrip('=')
        status = 'revoked' if row.revoked_at else 'active' if row.active else 'retired'
        keys.append({'kid': row.kid, 'kty': 'OKP', 'crv': 'Ed25519', 'x': x, 'status': status,
                     'created_at': row.created_at.isoformat()})  # fmt: skip
    return {'format': f'{PREFIX} base32(payload || Ed25519 signature); see docs/healthcode.md', 'keys': keys}
