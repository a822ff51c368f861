"""The hourly purge of old pass records really runs: it is a job of the started app, run once at start-up (after
the migrations), and each purge is audited."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from nicegui.testing import User
from sqlmodel import select

from models.accounts import AuditEntry
from models.common import utcnow
from models.healthcode import PassRecord
from services import db
from services.settings import settings
from tests.support.healthcode import add_pass, make_people
from tests.support.waits import wait_for

pytestmark = pytest.mark.filterwarnings('ignore')


@pytest.fixture
def passes_before_start_up() -> Iterator[tuple[int, int]]:
    """(a pass past PASS_RETENTION_DAYS, a pass of yesterday), written before the app starts."""
    person = make_people(1)[0]
    assert person.id is not None
    old = add_pass(person.id, utcnow() - timedelta(days=settings.pass_retention_days, hours=1))
    recent = add_pass(person.id, utcnow() - timedelta(days=1))
    yield old, recent


def left(*ids: int) -> set[int]:
    with db.read_session() as session:
        return {i for i in session.exec(select(PassRecord.id)).all() if i in ids}  # type: ignore[misc]


def purges() -> list[AuditEntry]:
    with db.read_session() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == 'healthcode.passes_purged')))


async def test_start_up_runs_the_purge_job_and_audits_it(passes_before_start_up: tuple[int, int], user: User) -> None:
    # The `user` fixture has started the app (its start-up handler ran); nothing here calls the purge itself.
    old, recent = passes_before_start_up
    await wait_for(lambda: left(old, recent) == {recent})
    await wait_for(lambda: any(e.detail.startswith('1 pass records older than') for e in purges()))
    entry = next(e for e in purges() if e.detail.startswith('1 pass records'))
    assert (entry.actor_account_id, entry.actor_label) == (None, 'system')
    assert f'{settings.pass_retention_days} days' in entry.detail
