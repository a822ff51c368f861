"""In the consult room: chat, the outcome (which reaches the health code), and the records residents keep."""

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from models.accounts import Account, Person, Role
from models.clinic import (
    OPEN_STATUSES,
    ClinicConsultation,
    ClinicConsultationPublic,
    ClinicMessage,
    ClinicMessagePublic,
    ConsultStatus,
)
from models.common import new_token, utcnow
from services import audit, idempotency
from services.access import Actor, person_for, require_role
from services.clinic import rules
from services.clinic.clinics import clinic
from services.clinic.common import doctor_consult, resident_consult, to_public
from services.clinic.events import (
    CHAT_POSTED,
    CONSULT_CHANGED,
    QUEUE_CHANGED,
    ChatPosted,
    ConsultChanged,
    QueueChanged,
)
from services.errors import N_, DomainError
from services.events import bus
from services.healthcode import record_clinic_outcome
from services.validation import clean_text, strip_bidi

T = ClinicConsultation.__table__  # type: ignore[attr-defined]
M = ClinicMessage.__table__  # type: ignore[attr-defined]
A = Account.__table__  # type: ignore[attr-defined]
P = Person.__table__  # type: ignore[attr-defined]


def consultation(session: Session, *, actor: Actor, consultation_id: int) -> ClinicConsultationPublic:
    """One consultation as its resident sees it."""
    return to_public(session, resident_consult(session, actor, consultation_id))


def doctor_view(session: Session, *, actor: Actor, consultation_id: int) -> ClinicConsultationPublic:
    """One consultation as a doctor sees it (the read is audited)."""
    row = doctor_consult(session, actor, consultation_id)
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='clinic.read',
                 target=f'consultation:{row.id}', detail=f'person:{row.person_id}')  # fmt: skip
    return to_public(session, row)


def _participant(session: Session, actor: Actor, consultation_id: int) -> ClinicConsultation:
    if actor.role is Role.resident:
        return resident_consult(session, actor, consultation_id)
    return doctor_consult(session, actor, consultation_id, own=True)


def _message_public(row: ClinicMessage, sender: str) -> ClinicMessagePublic:
    assert row.id is not None
    return ClinicMessagePublic(id=row.id, consultation_id=row.consultation_id, from_doctor=row.from_doctor,
                         sender_name=sender, body=row.body, at=row.at)  # fmt: skip


def send_message(session: Session, *, actor: Actor, consultation_id: int, body: str,
                 now: datetime | None = None, key: str | None = None) -> ClinicMessagePublic:  # fmt: skip
    """A chat message from the resident or the assigned doctor, during the consultation (sent once per `key`)."""
    return idempotency.once(session, actor=actor, action='clinic.message', key=key,
                            run=lambda: _send(session, actor, consultation_id, body, now or utcnow()),
                            result=ClinicMessagePublic)  # fmt: skip


def _send(session: Session, actor: Actor, consultation_id: int, body: str, now: datetime) -> ClinicMessagePublic:
    row = _participant(session, actor, consultation_id)
    if row.status != ConsultStatus.in_consult.value:
        raise DomainError(N_('Chat is open only while the consultation is in progress.'))
    text = clean_text(body, field=N_('Message'), max_length=rules.CHAT_MAX)
    recent = session.execute(select(func.count()).select_from(M).where(
        M.c.consultation_id == row.id, M.c.sender_account_id == actor.account_id,
        M.c.at >= now - rules.CHAT_WINDOW)).scalar_one()  # fmt: skip
    if recent >= rules.CHAT_BURST:
        raise DomainError(N_('You are sending messages too fast; please wait a few seconds.'))
    message = ClinicMessage(consultation_id=row.id, sender_account_id=actor.account_id,  # type: ignore[arg-type]
                            from_doctor=actor.role is not Role.resident, body=text, at=now)  # fmt: skip
    session.add(message)
    session.flush()
    public = _message_public(message, strip_bidi(actor.label))
    bus.stage(session, CHAT_POSTED, ChatPosted(message=public), key=row.id)
    return public


def messages(session: Session, *, actor: Actor, consultation_id: int) -> list[ClinicMessagePublic]:
    """The chat of one consultation, in the order it was sent."""
    row = (
        _participant(session, actor, consultation_id)
        if actor.role is Role.resident
        else doctor_consult(session, actor, consultation_id)
    )
    rows = session.execute(
        select(ClinicMessage, A.c.display_name)
        .join(A, A.c.id == M.c.sender_account_id)
        .where(M.c.consultation_id == row.id)
        .order_by(M.c.id)
    ).all()
    return [_message_public(m, name) for m, name in rows]


def finish(session: Session, *, actor: Actor, consultation_id: int, outcome: str, advice: str,
           clinic_code: str = '', now: datetime | None = None, key: str | None = None
           ) -> ClinicConsultationPublic:  # fmt: skip
    """The doctor ends the consultation with an outcome and advice, the health code following in the same commit."""
    require_role(actor, Role.doctor)
    return idempotency.once(session, actor=actor, action='clinic.finish', key=key,
                            run=lambda: _finish(session, actor, consultation_id, outcome, advice, clinic_code,
                                                now or utcnow()),
                            result=ClinicConsultationPublic)  # fmt: skip


def _finish(session: Session, actor: Actor, consultation_id: int, outcome: str, advice: str, clinic_code: str,
            now: datetime) -> ClinicConsultationPublic:  # fmt: skip
    row = doctor_consult(session, actor, consultation_id, own=True)
    if outcome not in rules.OUTCOMES:
        raise DomainError(N_('Please choose an outcome.'))
    text = clean_text(advice, field=N_('Advice'), max_length=rules.ADVICE_MAX)
    code = clinic(clinic_code).code if outcome == 'offline_clinic' else ''
    token = new_token(12) if code else ''
    result = session.execute(update(T).where(T.c.id == row.id, T.c.status == ConsultStatus.in_consult.value).values(
        status=ConsultStatus.done.value, ended_at=now, outcome=outcome, advice=text, clinic_code=code,
        referral_token=token))  # fmt: skip
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(N_('This consultation has ended already.'))
    record_clinic_outcome(session, person_id=row.person_id, outcome=outcome, consultation_id=row.id,  # type: ignore[arg-type]
                          at=now)  # fmt: skip
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='clinic.outcome',
                 target=f'consultation:{row.id}', detail=outcome)  # fmt: skip
    session.refresh(row)
    bus.stage(session, CONSULT_CHANGED, ConsultChanged(reason='done', status=ConsultStatus(row.status)), key=row.id)
    bus.stage(session, QUEUE_CHANGED, QueueChanged(reason='done', consultation_id=row.id))
    return to_public(session, row)


def doctor_current(session: Session, *, actor: Actor) -> ClinicConsultationPublic | None:
    """The consultation this doctor has in progress, if any."""
    require_role(actor, Role.doctor)
    row = (
        session.execute(
            select(ClinicConsultation).where(
                T.c.doctor_account_id == actor.account_id, T.c.status == ConsultStatus.in_consult.value
            )
        )
        .scalars()
        .first()
    )
    return to_public(session, row) if row else None


def _household_filter(actor: Actor) -> object:
    managed = select(P.c.id).where(P.c.managed_by_account_id == actor.account_id)
    return or_(T.c.requested_by_account_id == actor.account_id, T.c.person_id == actor.person_id,
               T.c.person_id.in_(managed))  # fmt: skip


def my_consultations(session: Session, *, actor: Actor, limit: int = 50) -> list[ClinicConsultationPublic]:
    """ "My consultations": the resident's and their family members', newest first."""
    require_role(actor, Role.resident)
    rows = session.execute(select(ClinicConsultation).where(_household_filter(actor))  # type: ignore[arg-type]
                           .order_by(T.c.queued_at.desc(), T.c.id.desc()).limit(limit)).scalars().all()  # fmt: skip
    return [to_public(session, r) for r in rows]


def open_consultations(session: Session, *, actor: Actor) -> list[ClinicConsultationPublic]:
    """Consultations of the household that are waiting or in progress."""
    require_role(actor, Role.resident)
    rows = session.execute(select(ClinicConsultation).where(_household_filter(actor),  # type: ignore[arg-type]
                                                            T.c.status.in_([s.value for s in OPEN_STATUSES]))
                           .order_by(T.c.id)).scalars().all()  # fmt: skip
    return [to_public(session, r) for r in rows]


def previous(session: Session, *, actor: Actor, person_id: int, before_id: int) -> list[ClinicConsultationPublic]:
    """A patient's earlier finished consultations, for the doctor (newest first)."""
    require_role(actor, Role.doctor)
    rows = session.execute(select(ClinicConsultation).where(
        T.c.person_id == person_id, T.c.id != before_id, T.c.status == ConsultStatus.done.value)
        .order_by(T.c.ended_at.desc()).limit(10)).scalars().all()  # fmt: skip
    return [to_public(session, r) for r in rows]


def known_chronic(session: Session, *, actor: Actor, person_id: int) -> list[str]:
    """The chronic conditions given in this patient's latest consultation (the profile has none): to prefill."""
    require_role(actor, Role.resident)
    person_for(session, actor, person_id)
    latest = session.execute(select(T.c.chronic).where(T.c.person_id == person_id)
                             .order_by(T.c.id.desc()).limit(1)).scalar_one_or_none()  # fmt: skip
    return [c for c in (latest or '').split(',') if c]
