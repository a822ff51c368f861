"""The signed token format (pure: no database). A code nobody can fake.

Text form: 'SCC1:' + base32 (RFC 4648, upper case, no padding — all QR alphanumeric characters; only this
canonical spelling is accepted) of payload || Ed25519 signature (64 bytes). Payload (big-endian): version u8 ·
kind u8 ('C' live code, 'P' paper code, 'K' checkpoint poster) · key id 4 bytes · colour u8 (0 green, 1 yellow,
2 red) · issued-at u32 · expires-at u32 (Unix seconds) · nonce 6 bytes · subject length u8 · subject (ASCII).
"""

import base64
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from services.errors import N_, DomainError

PREFIX = 'SCC1:'
VERSION = 1
HEADER = struct.Struct('>BB4sBII6sB')
SIGNATURE_BYTES = 64
MAX_TEXT = 400  # longer input is refused before any decoding
TOLERANCE_S = 30
COLOUR_CODES = {'green': 0, 'yellow': 1, 'red': 2}
COLOUR_NAMES = {v: k for k, v in COLOUR_CODES.items()}
KINDS = {'C': 'code', 'P': 'paper', 'K': 'poster'}


_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
_B32_CHARS = frozenset(_B32)
_TO_INT_DIGITS = str.maketrans(_B32, '0123456789ABCDEFGHIJKLMNOPQRSTUV')


def b32decode(body: str) -> bytes:
    """Unpadded RFC 4648 base32 to bytes, fast (one int conversion instead of base64's Python loop), accepting only
    the canonical spelling: upper case, no padding, a length that encodes whole bytes, and the unused low bits of
    the last character zero — so every token has exactly one text form that verifies."""
    if not body or not _B32_CHARS.issuperset(body):
        raise TokenError(N_('This code is damaged or incomplete.'))
    bits = len(body) * 5
    size = bits // 8
    spare = bits - size * 8
    value = int(body.translate(_TO_INT_DIGITS), 32)
    if spare >= 5 or value & ((1 << spare) - 1):  # a character too many, or set bits that carry nothing
        raise TokenError(N_('This code is damaged or incomplete.'))
    return (value >> spare).to_bytes(size, 'big')


class TokenError(DomainError):
    """A token that does not verify; the message says why (a msgid)."""


@dataclass(frozen=True)
class Claims:
    """What a token says, once parsed."""

    kind: str  # 'C' | 'P' | 'K'
    kid: str  # hex, 8 characters
    colour: str
    issued_at: int
    expires_at: int
    nonce: str  # hex, 12 characters
    subject: str


@dataclass(frozen=True)
class PublicKeyInfo:
    """A public key that verifies tokens, and whether it was revoked."""

    key: Ed25519PublicKey
    revoked: bool = False


def encode(claims: Claims, private_key: Ed25519PrivateKey) -> str:
    """Sign `claims` and return the text form."""
    subject = claims.subject.encode('ascii')
    header = HEADER.pack(VERSION, ord(claims.kind), bytes.fromhex(claims.kid), COLOUR_CODES[claims.colour],
                         claims.issued_at, claims.expires_at, bytes.fromhex(claims.nonce), len(subject))  # fmt: skip
    payload = header + subject
    signature = private_key.sign(payload)
    return PREFIX + base64.b32encode(payload + signature).decode('ascii').rstrip('=')


def split(text: str) -> tuple[Claims, bytes, bytes]:
    """Parse without verifying: claims, signed bytes, signature. Raises TokenError for anything malformed."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise TokenError(N_('This is not a Spring City Cloud code.'))
    if not text.startswith(PREFIX):  # exactly as issued: no other case, no spaces around it
        if text.strip()[: len(PREFIX)].upper() == PREFIX:
            raise TokenError(N_('This code is damaged or incomplete.'))
        raise TokenError(N_('This is not a Spring City Cloud code.'))
    raw = b32decode(text[len(PREFIX) :])
    if len(raw) < HEADER.size + SIGNATURE_BYTES:
        raise TokenError(N_('This code is damaged or incomplete.'))
    version, kind, kid, colour, iat, exp, nonce, length = HEADER.unpack_from(raw)
    payload_len = HEADER.size + length
    if version != VERSION or len(raw) != payload_len + SIGNATURE_BYTES:
        raise TokenError(N_('This code is damaged or incomplete.'))
    try:
        subject = raw[HEADER.size : payload_len].decode('ascii')
        claims = Claims(kind=chr(kind), kid=kid.hex(), colour=COLOUR_NAMES[colour], issued_at=iat, expires_at=exp,
                        nonce=nonce.hex(), subject=subject)  # fmt: skip
    except (UnicodeDecodeError, KeyError):
        raise TokenError(N_('This code is damaged or incomplete.')) from None
    if claims.kind not in KINDS:
        raise TokenError(N_('This code is damaged or incomplete.'))
    return claims, raw[:payload_len], raw[payload_len:]


def verify(text: str, keys: Mapping[str, PublicKeyInfo], now: float, *, tolerance: int = TOLERANCE_S) -> Claims:
    """Verify signature, key and validity window (± tolerance); return the claims or raise TokenError."""
    claims, payload, signature = split(text)
    info = keys.get(claims.kid)
    if info is None:
        raise TokenError(N_('Unknown signing key: this code was not issued by Spring City Cloud.'))
    if info.revoked:
        raise TokenError(N_('The key that signed this code was revoked.'))
    try:
        info.key.verify(signature, payload)
    except InvalidSignature:
        raise TokenError(N_('Forged or altered code: the signature does not match.')) from None
    if claims.issued_at > now + tolerance:
        raise TokenError(N_('This code was issued in the future: check the phone clock.'))
    if claims.expires_at < now - tolerance:
        raise TokenError(N_('This code has expired (an old code or a screenshot).'))
    return claims
