"""The quota ledger: one row per person and item, changed only by conditional statements."""

from datetime import datetime, timedelta

from sqlalchemy import case, literal, or_, select, update
from sqlmodel import Session

from services.errors import N_, DomainError
from services.reservations.common import QUOTA, local_text, person_name, upsert
from services.validation import mask_name


def take_quota(
    session: Session, *, person_id: int, item_id: int, quantity: int, quota: int, quota_days: int, now: datetime
) -> None:
    """Count `quantity` against the person's quota in one conditional upsert (a new window starts when the old
    one has ended); refuses with the date the quota frees up."""
    now_value = literal(now, QUOTA.c.window_ends.type)
    new_end = literal(now + timedelta(days=quota_days), QUOTA.c.window_ends.type)
    expired = QUOTA.c.window_ends <= now_value
    statement = (
        upsert(session)(QUOTA)
        .values(person_id=person_id, item_id=item_id, used=quantity, window_ends=now + timedelta(days=quota_days))
        .on_conflict_do_update(
            index_elements=['person_id', 'item_id'],
            set_={
                'used': case((expired, quantity), else_=QUOTA.c.used + quantity),
                'window_ends': case((expired, new_end), else_=QUOTA.c.window_ends),
            },
            where=or_(expired, QUOTA.c.used + quantity <= quota),
        )
        .returning(QUOTA.c.used)
    )
    if session.execute(statement).first() is None:
        over_quota(session, person_id=person_id, item_id=item_id, quota=quota, quota_days=quota_days)


def over_quota(session: Session, *, person_id: int, item_id: int, quota: int, quota_days: int) -> None:
    """Refuse with how many are left and the date the quota frees up."""
    row = session.execute(
        select(QUOTA.c.used, QUOTA.c.window_ends).where(QUOTA.c.person_id == person_id, QUOTA.c.item_id == item_id)
    ).one()
    raise DomainError(
        N_('Over quota: {name} may book {left} more until {when} (quota: {quota} per {days} days).'),
        name=mask_name(person_name(session, person_id)),
        left=max(quota - row.used, 0),
        when=local_text(row.window_ends),
        quota=quota,
        days=quota_days,
    )


def return_quota(session: Session, *, person_id: int, item_id: int, quantity: int) -> None:
    """Give back quota (a cancelled booking, a lost lottery application)."""
    session.execute(
        update(QUOTA)
        .where(QUOTA.c.person_id == person_id, QUOTA.c.item_id == item_id)
        .values(used=case((QUOTA.c.used > quantity, QUOTA.c.used - quantity), else_=0))
    )
