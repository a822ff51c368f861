""" "Call next": each waiting patient goes to exactly one doctor, however many click at once.

The statements are built once (with bind parameters): under a rush of clicks SQLite runs one writer at a time,
so every microsecond spent building SQL inside the write lock is paid by everyone queued behind it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session
from sqlmodel.sql.sqltypes import UTCDateTime

from models.accounts import Person, Role
from models.clinic import ClinicConsultation, ClinicConsultationPublic, ClinicDuty, ConsultStatus
from models.common import utcnow
from services import db
from services.access import Actor, require_role
from services.clinic import rules
from services.clinic.common import public_of
from services.clinic.events import CONSULT_CHANGED, QUEUE_CHANGED, ConsultChanged, QueueChanged
from services.errors import N_, DomainError
from services.events import bus

T = ClinicConsultation.__table__  # type: ignore[attr-defined]
D = ClinicDuty.__table__  # type: ignore[attr-defined]
P = Person.__table__  # type: ignore[attr-defined]
WAITING = ConsultStatus.waiting.value
IN_CONSULT = ConsultStatus.in_consult.value

# The doctor's duty row, locked on PostgreSQL (the same doctor clicking twice gets one patient), and whether
# they are busy with a patient already.
_BUSY = (select(T.c.id).where(T.c.doctor_account_id == bindparam('me'), T.c.status == IN_CONSULT).limit(1)
         .scalar_subquery())  # fmt: skip
DOCTOR_STATE = select(D.c.on_duty, _BUSY).where(D.c.account_id == bindparam('me')).with_for_update(of=D)
# The first present waiting patient in queue order (present: seen within rules.PRESENT).
FIRST = (select(T.c.id).where(T.c.status == WAITING, T.c.last_seen_at >= bindparam('cutoff', type_=UTCDateTime()))
         .order_by(T.c.rank_at, T.c.id).limit(1))  # fmt: skip
_ASSIGN = {'status': IN_CONSULT, 'doctor_account_id': bindparam('me'),
           'called_at': bindparam('now', type_=UTCDateTime()), 'ask_pending': False}  # fmt: skip
# Pick and take in one conditional statement. PostgreSQL skips rows another doctor's statement holds right now
# (FOR UPDATE SKIP LOCKED, rendered only there); SQLite runs one writer at a time. Either way only one statement
# can move a row out of 'waiting', and RETURNING tells this doctor whether it was theirs.
TAKE_FIRST = (update(T).where(T.c.id == FIRST.with_for_update(skip_locked=True).scalar_subquery(),
                              T.c.status == WAITING).values(**_ASSIGN).returning(T.c.id))  # fmt: skip
TAKEN = (select(T, P.c.real_name.label('patient_name'), P.c.district.label('patient_district'))
         .join(P, P.c.id == T.c.person_id).where(T.c.id == bindparam('cid')))  # fmt: skip


def call_next(session: Session, *, actor: Actor, now: datetime | None = None) -> ClinicConsultationPublic | None:
    """Give the first present waiting patient to this doctor, atomically; None when nobody is waiting."""
    now = now or utcnow()
    require_role(actor, Role.doctor)
    db.write_gate(session)
    state = session.execute(DOCTOR_STATE, {'me': actor.account_id}).first()
    if state is None or not state[0]:
        raise DomainError(N_('Please go on duty first.'))
    if state[1] is not None:
        raise DomainError(N_('Please finish your current consultation first.'))
    params: dict[str, Any] = {'me': actor.account_id, 'now': now, 'cutoff': now - rules.PRESENT}
    candidate = session.execute(TAKE_FIRST, params).scalar_one_or_none()
    if candidate is None:
        return None
    row = session.execute(TAKEN, {'cid': candidate}).one()
    bus.stage(session, QUEUE_CHANGED, QueueChanged(reason='called', consultation_id=candidate))
    bus.stage(session, CONSULT_CHANGED, ConsultChanged(reason='called', status=ConsultStatus.in_consult), key=candidate)
    return public_of(row, row.patient_name, row.patient_district, actor.label)  # type: ignore[arg-type]
