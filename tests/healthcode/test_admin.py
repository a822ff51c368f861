"""Admin changes: a reason always, more than 10 people need a second admin; tracing; pass records and purge."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from models.accounts import AuditEntry
from models.common import utcnow
from models.healthcode import PassRecord
from services import db
from services.errors import DomainError
from services.events import DomainEvent, bus
from services.healthcode import CODE_CHANGED, CodeChanged, admin, checkpoints
from tests.support.actors import actor
from tests.support.healthcode import colour, make_people


def test_reason_is_required_and_small_change_applies_at_once() -> None:
    boss = actor(username='admin')
    people = make_people(2)
    ids = [p.id for p in people if p.id]
    with pytest.raises(DomainError), db.session_scope() as session:
        admin.request_change(session, actor=boss, kind='close_contact', person_ids=ids, reason=' ')
    seen: list[DomainEvent[CodeChanged]] = []
    bus.subscribe(CODE_CHANGED, seen.append)
    with db.session_scope() as session:
        change = admin.request_change(session, actor=boss, kind='close_contact', person_ids=ids,
                                      reason='同乘 K51 次列车 shared a train')  # fmt: skip
    assert change.status == 'applied' and all(colour(i) == 'red' for i in ids)
    assert {e.key for e in seen} == {p.subject_id for p in people}
    assert {(e.payload.person_id, e.payload.colour, e.payload.changed_together) for e in seen} == {
        (i, 'red', 2) for i in ids
    }
    with db.read_session() as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == 'healthcode.changed')).all()
    assert len(entries) == 2


def test_more_than_ten_people_need_a_second_admin() -> None:
    boss = actor(username='admin')
    people = make_people(11)
    ids = [p.id for p in people if p.id]
    with db.session_scope() as session:
        change = admin.request_change(session, actor=boss, kind='set_colour', colour='yellow',
                                      person_ids=ids, reason='Building under observation')  # fmt: skip
    assert change.status == 'pending' and colour(ids[0]) == 'green'
    with pytest.raises(DomainError, match='second admin'), db.session_scope() as session:
        admin.approve_change(session, actor=boss, change_id=change.id)
    with db.session_scope() as session:
        approved = admin.approve_change(session, actor=actor(username='admin2'), change_id=change.id)
    assert approved.status == 'applied' and all(colour(i) == 'yellow' for i in ids)
    with pytest.raises(DomainError), db.session_scope() as session:
        admin.approve_change(session, actor=actor(username='admin2'), change_id=change.id)


def test_manual_green_clears_and_only_admins_may_change() -> None:
    boss, gate = actor(username='admin'), actor(username='gate1')
    people = make_people(1)
    pid = people[0].id
    assert pid is not None
    with pytest.raises(DomainError), db.session_scope() as session:
        admin.request_change(session, actor=gate, kind='set_colour', colour='red', person_ids=[pid],
                             reason='not allowed')  # fmt: skip
    with db.session_scope() as session:
        admin.request_change(session, actor=boss, kind='set_colour', colour='red', person_ids=[pid],
                             reason='Wrongly entered test')  # fmt: skip
    assert colour(pid) == 'red'
    with db.session_scope() as session:
        admin.request_change(session, actor=boss, kind='set_colour', colour='green', person_ids=[pid],
                             reason='Corrected after review')  # fmt: skip
    assert colour(pid) == 'green'


def test_contact_tracing_finds_people_within_two_hours() -> None:
    boss = actor(username='admin')
    people = make_people(4)
    case, near, edge, far = people
    with db.read_session() as session:
        cp = checkpoints.list_checkpoints(session)[0].id
    t = utcnow() - timedelta(days=1)
    with db.session_scope() as session:
        for person, at in ((case, t), (near, t + timedelta(minutes=30)), (edge, t - timedelta(hours=2)),
                           (far, t + timedelta(hours=2, minutes=1))):  # fmt: skip
            assert person.id is not None
            session.add(PassRecord(checkpoint_id=cp, person_id=person.id, at=at, result='pass', colour='green'))
    with db.session_scope() as session:
        rows = admin.trace_contacts(session, actor=boss, id_number=case.id_number)
    assert {r.person_id for r in rows} == {near.id, edge.id}
    assert all('*' in r.masked_id_number for r in rows)


def test_purge_deletes_old_passes_and_logs_it() -> None:
    people = make_people(1)
    assert people[0].id is not None
    with db.read_session() as session:
        cp = checkpoints.list_checkpoints(session)[0].id
    with db.session_scope() as session:
        for days in (1, 27, 29, 40):
            session.add(PassRecord(checkpoint_id=cp, person_id=people[0].id, at=utcnow() - timedelta(days=days),
                                   result='pass', colour='green'))  # fmt: skip
    with db.session_scope() as session:
        assert checkpoints.purge_passes(session, days=28) == 2
    with db.read_session() as session:
        left = session.exec(select(PassRecord).order_by(col(PassRecord.at))).all()
        log = session.exec(select(AuditEntry).where(AuditEntry.action == 'healthcode.passes_purged')).all()
    assert len(left) == 2 and len(log) >= 1 and '2 pass records' in log[-1].detail
