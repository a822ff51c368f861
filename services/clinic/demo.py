"""Demo data for the fever clinic: finished consultations of the last hours and days, so that "My consultations",
the doctors' previous consultations and the admin figures are not empty. Idempotent; never touches health codes
(the outcomes chosen here, self-care and offline referral, do not change a colour)."""

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from models.accounts import Account, Person
from models.clinic import ClinicConsultation, ClinicMessage, ConsultStatus
from models.common import new_token, utcnow

A = Account.__table__  # type: ignore[attr-defined]
P = Person.__table__  # type: ignore[attr-defined]
C = ClinicConsultation.__table__  # type: ignore[attr-defined]

# (resident phone or None for the managed father, hours ago, wait minutes, length minutes, doctor, outcome, advice)
PAST = [
    ('13800000001', 240.0, 6, 9, 'doctor1', 'self_care', '多休息，多喝水，每天测两次体温。Rest and drink water.'),
    ('13800000002', 6.0, 4, 7, 'doctor1', 'self_care', '体温超过38.5 °C可服用对乙酰氨基酚。Paracetamol above 38.5 °C.'),
    ('13800000003', 5.0, 12, 11, 'doctor2', 'offline_clinic', '请今天前往发热门诊。Go to the fever clinic today.'),
    (None, 4.0, 18, 14, 'doctor2', 'self_care', '老人注意观察呼吸。Watch his breathing closely.'),
    ('13800000001', 3.0, 9, 6, 'doctor1', 'self_care', '症状轻微，居家休息。Mild symptoms: rest at home.'),
    ('13800000002', 2.0, 22, 8, 'doctor2', 'self_care', '如发热持续3天请再次问诊。Consult again if it lasts 3 days.'),
    ('13800000003', 1.0, 7, 10, 'doctor1', 'self_care', '多休息。Rest.'),
]
ABANDONED = [('13800000001', 5.5, ConsultStatus.left), ('13800000002', 2.5, ConsultStatus.dropped)]


def seed(session: Session) -> None:
    """Add the demo consultations once (nothing when any consultation exists)."""
    if session.execute(select(C.c.id).limit(1)).first() is not None:
        return
    accounts = session.execute(select(Account).where(A.c.username.in_(['doctor1', 'doctor2']))).scalars()
    doctors = {a.username: a for a in accounts}
    residents = {a.phone: a for a in session.execute(select(Account).where(A.c.phone.is_not(None))).scalars()}
    if len(doctors) < 2 or not residents:
        return
    people = {p.account_id: p for p in session.execute(select(Person).where(P.c.account_id.is_not(None))).scalars()}
    father = session.execute(select(Person).where(P.c.managed_by_account_id.is_not(None))).scalars().first()
    now = utcnow()
    for phone, hours, wait, length, doctor, outcome, advice in PAST:
        account = residents.get(phone) if phone else None
        person = people.get(account.id) if account else father
        requester = account or (residents.get('13800000001') if phone is None else None)
        if person is None or requester is None:
            continue
        assert person.id is not None and requester.id is not None
        pid, rid, did = person.id, requester.id, doctors[doctor].id
        queued = now - timedelta(hours=hours)
        called = queued + timedelta(minutes=wait)
        row = ClinicConsultation(
            person_id=pid, requested_by_account_id=rid, status=ConsultStatus.done.value,
            temperature=38.1, symptoms='cough,fatigue', onset_date=(queued - timedelta(days=1)).date(), age=40,
            severity=3, queued_at=queued, rank_at=queued, last_seen_at=called, next_check_at=queued,
            doctor_account_id=did, called_at=called, ended_at=called + timedelta(minutes=length),
            outcome=outcome, advice=advice, clinic_code='qilu' if outcome == 'offline_clinic' else '',
            referral_token=new_token(12) if outcome == 'offline_clinic' else '',
        )  # fmt: skip
        session.add(row)
        session.flush()
        assert row.id is not None and did is not None
        session.add(ClinicMessage(consultation_id=row.id, sender_account_id=rid, body='我发烧了。I have a fever.',
                                  at=called + timedelta(minutes=1)))  # fmt: skip
        session.add(ClinicMessage(consultation_id=row.id, sender_account_id=did, from_doctor=True,
                                  body='请描述一下症状。Please describe your symptoms.',
                                  at=called + timedelta(minutes=2)))  # fmt: skip
    for phone, hours, status in ABANDONED:
        account = residents.get(phone)
        person = people.get(account.id) if account else None
        if account is None or person is None:
            continue
        assert person.id is not None and account.id is not None
        queued = now - timedelta(hours=hours)
        session.add(ClinicConsultation(
            person_id=person.id, requested_by_account_id=account.id, status=status.value, temperature=37.6,
            symptoms='cough', onset_date=queued.date(), age=40, severity=1, queued_at=queued, rank_at=queued,
            last_seen_at=queued, next_check_at=queued, ended_at=queued + timedelta(minutes=15),
        ))  # fmt: skip
    session.flush()
