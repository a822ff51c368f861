"""Helpers for the clinic tests (no tests here): demo actors, a triage form, doctors on duty."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import select

from models.accounts import Account, Person
from models.clinic import ClinicConsultationCreate
from services import db
from services.access import Actor, load_actor
from services.clinic import queue

RESIDENTS = ('13800000001', '13800000002', '13800000003')


def actor(*, phone: str | None = None, username: str | None = None) -> Actor:
    """The demo account with this phone or username, as an Actor."""
    with db.read_session() as session:
        query = select(Account).where(Account.phone == phone if phone else Account.username == username)
        account = session.exec(query).one()
        found = load_actor(session, account.id)
    assert found is not None
    return found


def family_member(resident: Actor) -> int:
    """The id of a family member the resident manages (the demo father of resident 1)."""
    with db.read_session() as session:
        person = session.exec(select(Person).where(Person.managed_by_account_id == resident.account_id)).first()
    assert person is not None and person.id is not None
    return person.id


def form(person_id: int, *, temperature: float | None = 37.8, onset: date | None = None, **extra: object) -> ClinicConsultationCreate:
    """A plausible triage form (mild fever, a cough) with overrides."""
    values: dict = {'person_id': person_id, 'temperature': temperature, 'symptoms': ['cough'],
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
    from sqlalchemy import delete

    from models.clinic import ClinicConsultation, ClinicMessage

    with db.session_scope() as session:
        session.execute(delete(ClinicMessage))
        session.execute(delete(ClinicConsultation))
