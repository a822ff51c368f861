"""Shared by the clinic services: access checks, the city's date, and the public form of a consultation."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from models.accounts import Account, Person, Role
from models.clinic import ClinicConsultation, ClinicConsultationPublic, ConsultStatus, Outcome
from services.access import Actor, person_for, require_role
from services.city import current_city
from services.errors import N_, Forbidden, NotFound
from services.validation import mask_name


def split(value: str) -> list[str]:
    """A comma-separated code list as a list."""
    return [v for v in value.split(',') if v]


def local_time(now: datetime) -> datetime:
    """`now` in the city's time zone."""
    return now.astimezone(ZoneInfo(current_city().timezone))


def to_public(session: Session, row: ClinicConsultation) -> ClinicConsultationPublic:
    """A consultation with the patient's and the doctor's names filled in."""
    person = session.get(Person, row.person_id)
    doctor = session.get(Account, row.doctor_account_id) if row.doctor_account_id else None
    assert person is not None
    return public_of(row, person.real_name, person.district,
                     (doctor.display_name or doctor.username or '') if doctor else '')  # fmt: skip


def public_of(row: ClinicConsultation, patient_name: str, district: str, doctor_name: str) -> ClinicConsultationPublic:
    """A consultation with names already at hand (no further queries)."""
    assert row.id is not None
    return ClinicConsultationPublic(
        id=row.id, person_id=row.person_id, patient_name=patient_name, patient_masked=mask_name(patient_name),
        patient_district=district,
        status=ConsultStatus(row.status), temperature=row.temperature, symptoms=split(row.symptoms),
        onset_date=row.onset_date,
        exposure=row.exposure, travel=row.travel, travel_detail=row.travel_detail, red_flags=split(row.red_flags),
        spo2=row.spo2, chronic=split(row.chronic), age=row.age, severity=row.severity, worse_count=row.worse_count,
        queued_at=row.queued_at, ask_pending=row.ask_pending, last_seen_at=row.last_seen_at,
        doctor_account_id=row.doctor_account_id,
        doctor_name=doctor_name, called_at=row.called_at,
        ended_at=row.ended_at, outcome=Outcome(row.outcome) if row.outcome else None, advice=row.advice,
        clinic_code=row.clinic_code,
        referral_token=row.referral_token,
    )  # fmt: skip


def resident_consult(session: Session, actor: Actor, consultation_id: int) -> ClinicConsultation:
    """A consultation the resident may see: their own, or a managed family member's."""
    require_role(actor, Role.resident)
    row = session.get(ClinicConsultation, consultation_id)
    if row is None:
        raise NotFound(N_('No such consultation.'))
    if row.requested_by_account_id != actor.account_id:
        person_for(session, actor, row.person_id)  # raises unless self or managed
    return row


def doctor_consult(session: Session, actor: Actor, consultation_id: int, *, own: bool = False) -> ClinicConsultation:
    """A consultation a doctor may see (with `own`: only the one assigned to them)."""
    require_role(actor, Role.doctor)
    row = session.get(ClinicConsultation, consultation_id)
    if row is None:
        raise NotFound(N_('No such consultation.'))
    if own and row.doctor_account_id != actor.account_id:
        raise Forbidden(N_('This consultation is with another doctor.'))
    return row
