"""What the waiting room shows: positions, an honest wait range, doctors on duty, and the doctors' queue."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from models.accounts import Person, Role
from models.clinic import ClinicConsultation, ClinicConsultationPublic, ClinicDuty, ConsultStatus
from models.common import utcnow
from services.access import Actor, require_role
from services.clinic import rules
from services.clinic.common import public_of

T = ClinicConsultation.__table__  # type: ignore[attr-defined]
D = ClinicDuty.__table__  # type: ignore[attr-defined]
P = Person.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class WaitEstimate:
    """Patients ahead of one and the wait range in minutes (0–0 when no doctor is on duty)."""

    ahead: int
    low_minutes: int
    high_minutes: int


@dataclass
class QueueSnapshot:
    """The whole queue computed once per change; each page looks up its own place in it."""

    positions: dict[int, int] = field(default_factory=dict)  # consultation id -> patients ahead
    doctors_on_duty: int = 0
    per_patient: tuple[float, float] = rules.DEFAULT_MINUTES  # consult length range in minutes
    computed_at: datetime = field(default_factory=utcnow)

    @property
    def waiting(self) -> int:
        """How many are waiting."""
        return len(self.positions)

    def estimate(self, consultation_id: int) -> WaitEstimate | None:
        """Patients ahead and a wait range; None when not waiting. With no doctor on duty the range is empty."""
        ahead = self.positions.get(consultation_id)
        if ahead is None:
            return None
        return estimate_wait(ahead, self.doctors_on_duty, self.per_patient)


def estimate_wait(ahead: int, doctors: int, per_patient: tuple[float, float]) -> WaitEstimate:
    """From `ahead` patients and `doctors` on duty: at best everyone ahead goes in whole rounds at the short
    consult length; at worst one more round (the doctors' current patients) at the long length."""
    if doctors <= 0:
        return WaitEstimate(ahead=ahead, low_minutes=0, high_minutes=0)
    rounds = ahead // doctors
    low = math.floor(rounds * per_patient[0])
    high = math.ceil((rounds + 1) * per_patient[1])
    return WaitEstimate(ahead=ahead, low_minutes=low, high_minutes=max(high, low + 1))


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[index]


def consult_lengths(session: Session) -> tuple[float, float]:
    """The 25th and 75th percentile of recent consultation lengths, in minutes (a default before any)."""
    rows = session.execute(select(T.c.called_at, T.c.ended_at).where(T.c.status == ConsultStatus.done.value,
                                                                      T.c.called_at.is_not(None))
                           .order_by(T.c.ended_at.desc()).limit(rules.RECENT_CONSULTS)).all()  # fmt: skip
    minutes = [(ended - called).total_seconds() / 60 for called, ended in rows if called and ended]
    if len(minutes) < 3:
        return rules.DEFAULT_MINUTES
    return max(1.0, _quantile(minutes, 0.25)), max(2.0, _quantile(minutes, 0.75))


def doctors_on_duty(session: Session, *, now: datetime | None = None) -> int:
    """Doctors on duty whose desk was open recently."""
    now = now or utcnow()
    return int(session.execute(select(func.count()).select_from(D).where(
        D.c.on_duty.is_(True), D.c.last_seen_at >= now - rules.DOCTOR_PRESENT)).scalar_one())  # fmt: skip


def queue_snapshot(session: Session, *, now: datetime | None = None) -> QueueSnapshot:
    """The order of everyone waiting, doctors on duty and consult lengths: three queries, whatever the size."""
    now = now or utcnow()
    ids = session.execute(select(T.c.id).where(T.c.status == ConsultStatus.waiting.value)
                          .order_by(T.c.rank_at, T.c.id)).scalars().all()  # fmt: skip
    return QueueSnapshot(positions={cid: i for i, cid in enumerate(ids)},
                         doctors_on_duty=doctors_on_duty(session, now=now), per_patient=consult_lengths(session),
                         computed_at=now)  # fmt: skip


DESK_LIMIT = 50  # the desk lists the first 50 (the count above it is the whole queue)


def doctor_queue(session: Session, *, actor: Actor, limit: int = DESK_LIMIT) -> list[ClinicConsultationPublic]:
    """The waiting patients in the order "call next" takes them (red flags first), with triage summaries."""
    require_role(actor, Role.doctor)
    rows = session.execute(
        select(ClinicConsultation, P.c.real_name, P.c.district)
        .join(P, P.c.id == T.c.person_id)
        .where(T.c.status == ConsultStatus.waiting.value)
        .order_by(T.c.rank_at, T.c.id)
        .limit(limit)
    ).all()  # fmt: skip (one query for the whole list)
    return [public_of(row, name, district, '') for row, name, district in rows]


def waiting_count(session: Session) -> int:
    """How many are waiting now."""
    return int(session.execute(select(func.count()).select_from(T)
                               .where(T.c.status == ConsultStatus.waiting.value)).scalar_one())  # fmt: skip
