"""Every health code test starts without signing keys cached from the test before (their rows are gone)."""

from collections.abc import Iterator

import pytest

from services.healthcode import keys


@pytest.fixture(autouse=True)
def fresh_keys() -> Iterator[None]:
    """Forget the key ring before and after each test."""
    keys.forget()
    yield
    keys.forget()
