"""The waiting room: join (triage), leave, doctors on duty, "call next" (one patient, one doctor), presence."""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.accounts import Person, Role
from models.clinic import (
    OPEN_STATUSES,
    ClinicConsultation,
    ClinicConsultationCreate,
    ClinicConsultationPublic,
    ClinicDuty,
    ConsultStatus,
)
from models.common import utcnow
from services import audit, idempotency
from services.access import Actor, person_for, require_role
from services.clinic import rules
from services.clinic.calling import call_next as call_next  # the one place it lives; kept importable here
from services.clinic.common import local_time, resident_consult, to_public
from services.clinic.events import CONSULT_CHANGED, QUEUE_CHANGED, ConsultChanged, QueueChanged
from services.clinic.triage import age_on, severity, validate
from services.errors import N_, DomainError
from services.events import bus

T = ClinicConsultation.__table__  # type: ignore[attr-defined]
P = Person.__table__  # type: ignore[attr-defined]
D = ClinicDuty.__table__  # type: ignore[attr-defined]
WAITING = ConsultStatus.waiting.value


def start_consultation(session: Session, *, actor: Actor, form: ClinicConsultationCreate, now: datetime | None = None,
                       key: str | None = None) -> ClinicConsultationPublic:  # fmt: skip
    """A resident joins the queue for themselves or a family member (the same `key` again: the first consultation)."""
    require_role(actor, Role.resident)
    return idempotency.once(session, actor=actor, action='clinic.join', key=key,
                            run=lambda: _start(session, actor, form, now or utcnow()),
                            result=ClinicConsultationPublic)  # fmt: skip


def _start(session: Session, actor: Actor, form: ClinicConsultationCreate, now: datetime) -> ClinicConsultationPublic:
    person = person_for(session, actor, form.person_id)
    # Lock the patient (PostgreSQL) so two tabs cannot open two consultations for one person.
    session.execute(select(P.c.id).where(P.c.id == person.id).with_for_update())
    open_row = session.execute(
        select(T.c.id).where(T.c.person_id == person.id, T.c.status.in_([s.value for s in OPEN_STATUSES]))
    ).first()
    if open_row is not None:
        raise DomainError(N_('There is already an open consultation for {name}.'), name=person.real_name)
    assert person.id is not None
    today = local_time(now).date()
    triage = validate(form, today=today)
    age = age_on(person.birth_date, today)
    score = severity(triage, age=age)
    rank_at = now - rules.HEAD_START * score
    if triage.has_red_flag:
        rank_at -= rules.RED_FLAG_HEAD_START
    row = ClinicConsultation(
        person_id=person.id, requested_by_account_id=actor.account_id, status=WAITING, temperature=triage.temperature,
        symptoms=','.join(triage.symptoms), onset_date=triage.onset_date, exposure=triage.exposure,
        travel=triage.travel, travel_detail=triage.travel_detail, red_flags=','.join(triage.red_flags),
        spo2=triage.spo2, chronic=','.join(triage.chronic), age=age, severity=score, queued_at=now, rank_at=rank_at,
        last_seen_at=now, next_check_at=now + rules.WORSE_INTERVAL,
    )  # fmt: skip
    try:
        with session.begin_nested():  # the database's unique index is the last word on one open consultation
            session.add(row)
    except IntegrityError:
        raise DomainError(N_('There is already an open consultation for {name}.'), name=person.real_name) from None
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='clinic.started',
                 target=f'consultation:{row.id}', detail='red flag' if triage.has_red_flag else '')  # fmt: skip
    bus.stage(session, QUEUE_CHANGED, QueueChanged(reason='red_flag' if triage.has_red_flag else 'joined',
                                                   consultation_id=row.id, severity=score))  # fmt: skip
    return to_public(session, row)


def leave_queue(
    session: Session, *, actor: Actor, consultation_id: int, now: datetime | None = None
) -> ClinicConsultationPublic:
    """The resident leaves the queue (only while still waiting)."""
    now = now or utcnow()
    row = resident_consult(session, actor, consultation_id)
    result = session.execute(update(T).where(T.c.id == row.id, T.c.status == WAITING)
                             .values(status=ConsultStatus.left.value, ended_at=now))  # fmt: skip
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(N_('This consultation is no longer waiting in the queue.'))
    session.refresh(row)
    bus.stage(session, QUEUE_CHANGED, QueueChanged(reason='left', consultation_id=row.id))
    bus.stage(session, CONSULT_CHANGED, ConsultChanged(reason='left', status=ConsultStatus(row.status)), key=row.id)
    return to_public(session, row)


def set_duty(session: Session, *, actor: Actor, on_duty: bool, now: datetime | None = None) -> bool:
    """A doctor goes on duty or away; returns the new state."""
    now = now or utcnow()
    require_role(actor, Role.doctor)
    duty = session.get(ClinicDuty, actor.account_id)
    if duty is None:
        duty = ClinicDuty(account_id=actor.account_id)
    if duty.on_duty != on_duty:
        duty.since = now
    duty.on_duty = on_duty
    duty.last_seen_at = now
    session.add(duty)
    bus.stage(session, QUEUE_CHANGED, QueueChanged(reason='duty'))
    return on_duty


def is_on_duty(session: Session, *, actor: Actor) -> bool:
    """Whether this doctor is on duty."""
    duty = session.get(ClinicDuty, actor.account_id)
    return bool(duty and duty.on_duty)


def heartbeat(session: Session, *, consultation_ids: list[int], doctor_ids: list[int],
              now: datetime | None = None) -> None:  # fmt: skip
    """Mark the open pages' patients and desks as present (one statement each, from one app timer)."""
    now = now or utcnow()
    if consultation_ids:
        session.execute(update(T).where(T.c.id.in_(consultation_ids), T.c.status == WAITING).values(last_seen_at=now))
    if doctor_ids:
        duty = ClinicDuty.__table__  # type: ignore[attr-defined]
        session.execute(update(duty).where(duty.c.account_id.in_(doctor_ids)).values(last_seen_at=now))


def rejoin(
    session: Session, *, actor: Actor, consultation_id: int, now: datetime | None = None
) -> ClinicConsultationPublic:
    """The resident's page is back: within the grace they keep their place; after it they are dropped."""
    now = now or utcnow()
    row = resident_consult(session, actor, consultation_id)
    if row.status == WAITING:
        if row.last_seen_at < now - rules.RECONNECT_GRACE:
            _drop(session, [row.id], now)  # type: ignore[list-item]
        else:
            session.execute(update(T).where(T.c.id == row.id).values(last_seen_at=now))
        session.refresh(row)
    return to_public(session, row)


def needs_rejoin(consult: ClinicConsultationPublic, *, now: datetime | None = None) -> bool:
    """Whether a page opening this consultation must mark it present (or drop it): waiting and not seen lately.
    Pages seen recently skip the write; the app timer keeps marking open pages present."""
    now = now or utcnow()
    seen = consult.last_seen_at
    return consult.status == ConsultStatus.waiting and (seen is None or seen < now - rules.PRESENT)


def _drop(session: Session, ids: list[int], now: datetime) -> list[int]:
    cutoff = now - rules.RECONNECT_GRACE
    result = session.execute(update(T).where(T.c.id.in_(ids), T.c.status == WAITING, T.c.last_seen_at < cutoff)
                             .values(status=ConsultStatus.dropped.value, ended_at=now).returning(T.c.id))  # fmt: skip
    dropped = sorted(result.scalars().all())
    for consultation_id in dropped:
        bus.stage(session, CONSULT_CHANGED, ConsultChanged(reason='dropped', status=ConsultStatus.dropped),
                  key=consultation_id)  # fmt: skip
    if dropped:
        bus.stage(session, QUEUE_CHANGED, QueueChanged(reason='dropped', ids=tuple(dropped)))
    return dropped


def sweep(session: Session, *, now: datetime | None = None) -> dict[str, list[int]]:
    """The app timer's periodic work: drop patients away past the grace; ask those due "are you worse?"; take
    doctors whose desk pages are all gone (not marked present past rules.DOCTOR_PRESENT) off duty."""
    now = now or utcnow()
    absent = D.c.on_duty.is_(True), D.c.last_seen_at < now - rules.DOCTOR_PRESENT
    off = update(D).where(*absent).values(on_duty=False, since=now).returning(D.c.account_id)
    off_duty = sorted(session.execute(off).scalars().all())
    if off_duty:
        bus.stage(session, QUEUE_CHANGED, QueueChanged(reason='duty'))
    stale = (
        session.execute(select(T.c.id).where(T.c.status == WAITING, T.c.last_seen_at < now - rules.RECONNECT_GRACE))
        .scalars()
        .all()
    )
    dropped = _drop(session, list(stale), now) if stale else []
    due = session.execute(update(T).where(T.c.status == WAITING, T.c.ask_pending.is_(False), T.c.next_check_at <= now)
                          .values(ask_pending=True).returning(T.c.id)).scalars().all()  # fmt: skip
    for consultation_id in due:
        bus.stage(
            session, CONSULT_CHANGED, ConsultChanged(reason='ask', status=ConsultStatus.waiting), key=consultation_id
        )
    return {'dropped': dropped, 'asked': sorted(due), 'off_duty': off_duty}


def answer_worse(session: Session, *, actor: Actor, consultation_id: int, worse: bool,
                 now: datetime | None = None) -> ClinicConsultationPublic:  # fmt: skip
    """The resident answers "are your symptoms worse?"; worse moves them up the queue."""
    now = now or utcnow()
    row = resident_consult(session, actor, consultation_id)
    values: dict[str, Any] = {'ask_pending': False, 'next_check_at': now + rules.WORSE_INTERVAL}
    if worse:
        # Guarded by ask_pending below, so values computed here are applied at most once.
        values |= {
            'severity': min(row.severity + rules.WORSE_POINTS, rules.MAX_SEVERITY),
            'worse_count': row.worse_count + 1,
            'rank_at': row.rank_at - rules.HEAD_START * rules.WORSE_POINTS,
        }
    result = session.execute(update(T).where(T.c.id == row.id, T.c.status == WAITING, T.c.ask_pending.is_(True))
                             .values(**values))  # fmt: skip
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(N_('This question has been answered already.'))
    session.refresh(row)
    if worse:
        bus.stage(session, QUEUE_CHANGED, QueueChanged(reason='worse', consultation_id=row.id))
    bus.stage(session, CONSULT_CHANGED, ConsultChanged(reason='answered', status=ConsultStatus(row.status)), key=row.id)
    return to_public(session, row)
