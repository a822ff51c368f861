"""A city-sized close-contact change: a traced case names thousands of people; their change is stored one row per
person (no string that PostgreSQL cuts at 20,000 characters), waits for a second admin, and is applied whole."""

from collections.abc import Iterator

import pytest
from sqlmodel import col, func, select

from models.accounts import AuditEntry, Person
from models.common import utcnow
from models.healthcode import ColourChangePerson, HealthRecord
from services import db
from services.events import DomainEvent, bus
from services.healthcode import CODE_CHANGED, CodeChanged, admin
from services.healthcode.records import colours_of
from tests.support.actors import actor
from tests.support.healthcode import many_people

CONTACTS = 5_000  # more than one real trace (3,447 in a city of a million), above the old limit of 2,000


@pytest.fixture
def contacts() -> Iterator[list[int]]:
    """5,000 registered people, green."""
    yield many_people(CONTACTS)


def count(model: type, *where: object) -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()  # type: ignore[arg-type]


def test_five_thousand_close_contacts_in_one_change_are_marked_and_applied(contacts: list[int]) -> None:
    boss, second = actor(username='admin'), actor(username='admin2')
    seen: list[DomainEvent[CodeChanged]] = []
    bus.subscribe(CODE_CHANGED, seen.append)
    with db.session_scope() as session:
        rows = admin.find_people(session, actor=boss, id_numbers='\n'.join(numbers_of(contacts)))  # 'Check the list'
    assert len(rows) == CONTACTS
    moment = utcnow().replace(microsecond=0)
    times = {pid: moment for pid in contacts[::2]}  # traced contacts carry their own time; the others the change's
    with db.session_scope() as session:
        change = admin.request_change(session, actor=boss, kind='close_contact', person_ids=contacts,
                                      reason='Traced from case 2026-117', contact_times=times)  # fmt: skip
    assert (change.status, change.count) == ('pending', CONTACTS)
    assert count(ColourChangePerson, ColourChangePerson.change_id == change.id) == CONTACTS
    assert count(HealthRecord, col(HealthRecord.value) == 'close_contact') == 0  # nothing before the approval
    with db.session_scope() as session:
        applied = admin.approve_change(session, actor=second, change_id=change.id)
    assert (applied.status, applied.count) == ('applied', CONTACTS)
    assert count(HealthRecord, col(HealthRecord.value) == 'close_contact') == CONTACTS
    with db.read_session() as session:
        colours = colours_of(session, person_ids=contacts)
        traced = session.exec(select(HealthRecord.person_id, HealthRecord.at)
                              .where(col(HealthRecord.person_id).in_(contacts[:10]))).all()  # fmt: skip
    assert set(colours.values()) == {'red'}
    assert {pid: at == moment for pid, at in traced} == {pid: pid in times for pid in contacts[:10]}
    assert len(seen) == CONTACTS and {e.payload.changed_together for e in seen} == {CONTACTS}
    assert count(AuditEntry, AuditEntry.action == 'healthcode.changed') == CONTACTS
    with db.read_session() as session:
        assert next(c.count for c in admin.changes(session, actor=boss) if c.id == change.id) == CONTACTS


def numbers_of(person_ids: list[int]) -> list[str]:
    with db.read_session() as session:
        found = dict(session.exec(select(Person.id, Person.id_number).where(col(Person.id).in_(person_ids))).all())
    return [found[pid] for pid in person_ids]
