"""Records give colours; a change is announced once committed, never on rollback; bad input writes nothing."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models.accounts import Person
from models.common import utcnow
from models.healthcode import HealthRecord
from services import db
from services.errors import DomainError
from services.events import DomainEvent, bus
from services.healthcode import CODE_CHANGED, CodeChanged, current_colour, record_clinic_outcome
from services.healthcode import records as hc_records


def _person(name: str = '王芳') -> Person:
    with db.read_session() as session:
        person = session.exec(select(Person).where(Person.real_name == name)).one()
    return person


def test_clinic_outcome_changes_colour_and_announces_it() -> None:
    person = _person()
    assert person.id is not None
    seen: list[DomainEvent[CodeChanged]] = []
    bus.subscribe(CODE_CHANGED, seen.append)
    with db.session_scope() as session:
        assert current_colour(session, person_id=person.id) == 'green'
        record_clinic_outcome(session, person_id=person.id, outcome='home_isolation', consultation_id=7, at=utcnow())
        assert seen == []  # only after commit
    assert [(e.key, e.payload) for e in seen] == [
        (person.subject_id, CodeChanged(colour='yellow', person_id=person.id, note='consultation:7'))
    ]
    with db.session_scope() as session:
        record_clinic_outcome(session, person_id=person.id, outcome='suspected', consultation_id=8, at=utcnow())
    with db.read_session() as session:
        assert current_colour(session, person_id=person.id) == 'red'
    assert seen[-1].payload.colour == 'red'


def test_same_colour_is_not_announced_and_rollback_publishes_nothing() -> None:
    person = _person()
    assert person.id is not None
    seen: list[DomainEvent[CodeChanged]] = []
    bus.subscribe(CODE_CHANGED, seen.append)
    with db.session_scope() as session:
        record_clinic_outcome(session, person_id=person.id, outcome='self_care', consultation_id=1, at=utcnow())
    assert seen == []
    with pytest.raises(RuntimeError), db.session_scope() as session:
        record_clinic_outcome(session, person_id=person.id, outcome='suspected', consultation_id=2, at=utcnow())
        raise RuntimeError('boom')
    assert seen == []
    with db.read_session() as session:
        assert current_colour(session, person_id=person.id) == 'green'


@pytest.mark.parametrize('raw', ['33.9', '43.1', 'abc', '', '3700'])
def test_temperature_typos_are_refused_and_nothing_is_written(raw: str) -> None:
    person = _person()
    assert person.id is not None
    with pytest.raises(DomainError), db.session_scope() as session:
        hc_records.record_temperature(session, person_id=person.id, celsius=raw, place='gate')
    with db.read_session() as session:
        assert session.exec(select(HealthRecord).where(HealthRecord.person_id == person.id)).first() is None


def test_unknown_outcome_and_future_records_are_refused() -> None:
    person = _person()
    assert person.id is not None
    with pytest.raises(DomainError), db.session_scope() as session:
        record_clinic_outcome(session, person_id=person.id, outcome='cured', consultation_id=1, at=utcnow())
    with pytest.raises(DomainError), db.session_scope() as session:
        hc_records.record_test(session, person_id=person.id, result='positive', at=utcnow() + timedelta(days=1))


def test_fever_reading_then_normal_retest() -> None:
    person = _person()
    assert person.id is not None
    with db.session_scope() as session:
        hc_records.record_temperature(session, person_id=person.id, celsius='37.3', place='泉城路',
                                      at=utcnow() - timedelta(minutes=10))  # fmt: skip
    with db.session_scope() as session:
        assert current_colour(session, person_id=person.id) == 'yellow'
        hc_records.record_temperature(session, person_id=person.id, celsius=36.6, place='泉城路')
    with db.read_session() as session:
        assert current_colour(session, person_id=person.id) == 'green'
