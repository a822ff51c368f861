"""Factories of the clinic tests: the demo residents, a triage form, joining the queue, doctors on duty."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from models.accounts import Person
from models.clinic import ClinicConsultation, ClinicConsultationCreate, ClinicMessage
from services import db
from services.access import Actor
from services.clinic import queue

RESIDENTS = ('13800000001', '13800000002', '13800000003')
P = Person.__table__  # type: ignore[attr-defined]
C = ClinicConsultation.__table__  # type: ignore[attr-defined]


def family_member(resident: Actor) -> int:
    """The id of a family member the resident manages (the demo father of resident 1)."""
    with db.read_session() as session:
        person = session.execute(select(Person).where(P.c.managed_by_account_id == resident.account_id)).scalar()
    assert person is not None and person.id is not None
    return person.id


def form(person_id: int, *, temperature: float | None = 37.8, onset: date | None = None,
         **extra: Any) -> ClinicConsultationCreate:  # fmt: skip
    """A plausible triage form (mild fever, a cough) with overrides."""
    values: dict[str, Any] = {'person_id': person_id, 'temperature': temperature, 'symptoms': ['cough'],
                              'onset_date': onset or date.today() - timedelta(days=1)}  # fmt: skip
    values.update(extra)
    return ClinicConsultationCreate(**values)


def join(resident: Actor, *, now: datetime, person_id: int | None = None, **extra: Any) -> int:
    """The resident starts a consultation; returns its id."""
    with db.session_scope() as session:
        consult = queue.start_consultation(session, actor=resident, form=form(person_id or resident.person_id or 0,
                                                                               **extra), now=now)  # fmt: skip
    return consult.id


def on_duty(doctor: Actor, *, now: datetime) -> None:
    """The doctor goes on duty at `now`."""
    with db.session_scope() as session:
        queue.set_duty(session, actor=doctor, on_duty=True, now=now)


def clear_history() -> None:
    """Remove the demo consultations (for tests that need a clinic with no history at all)."""
    with db.session_scope() as session:
        session.execute(delete(ClinicMessage))
        session.execute(delete(ClinicConsultation))


def latest_consultation_id() -> int:
    """The id of the newest consultation (0 when there is none)."""
    with db.read_session() as session:
        found = session.execute(select(C.c.id).order_by(C.c.id.desc()).limit(1)).scalar()
    return int(found or 0)
