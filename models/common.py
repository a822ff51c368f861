"""Helpers shared by every table: timestamps in UTC and short random ids."""

import secrets
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Aware UTC now (SQLModel stores aware datetimes and returns them in UTC on every database)."""
    return datetime.now(UTC)


def new_token(nbytes: int = 12) -> str:
    """A URL-safe random identifier (pseudonymous ids, nonces)."""
    return secrets.token_urlsafe(nbytes)
