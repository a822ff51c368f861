"""The real components tests need (PostgreSQL, Redis, Chromium) and what happens when one is missing."""

import os

import pytest

IN_CI = os.environ.get('CI', '').lower() == 'true'
PG_BASE = os.environ.get('SCC_TEST_PG', 'postgresql+psycopg://postgres@127.0.0.1:5432/test')
REDIS_URL = os.environ.get('SCC_TEST_REDIS', 'redis://127.0.0.1:6379/15')


def require_or_skip(reason: str) -> None:
    """Skip a test whose real component is missing — except in CI, where it must be there."""
    if IN_CI:
        pytest.fail(f'required in CI: {reason}')
    pytest.skip(reason)


def redis_problem(url: str = REDIS_URL) -> str:
    """Why Redis at `url` cannot be used ('' when it answers)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.close()
        return ''
    except Exception as error:
        return str(error)
