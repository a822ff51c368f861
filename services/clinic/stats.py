"""The clinic admin's live figures: waiting now, wait median and 90th percentile, abandonment, doctor throughput."""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from models.accounts import Account, Role
from models.clinic import ClinicConsultation, ConsultStatus
from models.common import utcnow
from services.access import Actor, require_role
from services.clinic import rules
from services.clinic.board import doctors_on_duty, waiting_count

T = ClinicConsultation.__table__  # type: ignore[attr-defined]
A = Account.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DoctorRate:
    """One doctor's finished consultations over the period, and per hour."""

    name: str
    consultations: int
    per_hour: float


@dataclass(frozen=True)
class ClinicStats:
    """The admin's figures over the last `hours`."""

    waiting: int
    doctors_on_duty: int
    median_wait_minutes: float | None
    p90_wait_minutes: float | None
    abandonment_rate: float | None  # left or dropped / everyone who stopped waiting
    hours: int
    doctors: list[DoctorRate] = field(default_factory=list)
    warn: bool = False
    threshold_minutes: float = rules.P90_WARN_MINUTES


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def clinic_stats(session: Session, *, actor: Actor, hours: int = 8, now: datetime | None = None) -> ClinicStats:
    """Figures over the last `hours`; waits count from joining to being called (those still waiting too)."""
    require_role(actor, Role.admin)
    now = now or utcnow()
    since = now - timedelta(hours=hours)
    called = session.execute(select(T.c.queued_at, T.c.called_at).where(T.c.called_at >= since)).all()
    waits = [(c - q).total_seconds() / 60 for q, c in called]
    # Someone waiting for an hour is a long wait already, even before a doctor calls them.
    still = session.execute(select(T.c.queued_at).where(T.c.status == ConsultStatus.waiting.value)).scalars().all()
    waits += [(now - q).total_seconds() / 60 for q in still]
    abandoned = session.execute(
        select(func.count())
        .select_from(T)
        .where(T.c.status.in_([ConsultStatus.left.value, ConsultStatus.dropped.value]), T.c.ended_at >= since)
    ).scalar_one()
    stopped = abandoned + len(called)
    rows = session.execute(select(A.c.display_name, func.count()).join(T, T.c.doctor_account_id == A.c.id)
                           .where(T.c.status == ConsultStatus.done.value, T.c.ended_at >= since)
                           .group_by(A.c.display_name).order_by(func.count().desc())).all()  # fmt: skip
    p90 = percentile(waits, 0.9)
    return ClinicStats(
        waiting=waiting_count(session), doctors_on_duty=doctors_on_duty(session, now=now),
        median_wait_minutes=percentile(waits, 0.5), p90_wait_minutes=p90,
        abandonment_rate=abandoned / stopped if stopped else None, hours=hours,
        doctors=[DoctorRate(name=name, consultations=count, per_hour=round(count / hours, 2)) for name, count in rows],
        warn=p90 is not None and p90 > rules.P90_WARN_MINUTES,
    )  # fmt: skip
