"""The pharmacist's counter: check a pass (scanned QR or typed 6-digit code) and hand the goods over, once — and
only at a store the pharmacist works at (services.reservations.staff)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Row, literal, select, update
from sqlmodel import Session

from models.common import utcnow
from models.reservations import PickupPublic, ReservationStatus
from services import audit, idempotency
from services.access import Actor
from services.errors import N_, DomainError, NotFound
from services.events import bus
from services.reservations import booking, common, passes, staff
from services.reservations.common import RES, SLOT
from services.reservations.events import PICKED_UP, PickedUp
from services.reservations.policy import city_tz, local_day
from services.validation import mask_name


def _row(session: Session, reservation_id: int) -> Row[Any] | None:
    """The reservation with its slot, person, item and store, or None."""
    rows = common.reservation_rows(session, RES.c.id == reservation_id, limit=1)
    return rows[0] if rows else None


def _find(session: Session, *, store_id: int, text: str, now: datetime) -> Row[Any]:
    """The reservation a scanned token or typed code names (refused when forged or unknown)."""
    value = (text or '').strip()
    if not value:
        raise DomainError(N_("Scan the pass's QR code or type its 6-digit code."))
    parsed = passes.parse_token(value)
    if parsed is not None:
        row = _row(session, parsed[0])
        if row is None or not passes.signature_ok(
            passes.signing_key(session),
            parsed[1],
            reservation_id=row.id,
            code=row.code,
            store_id=row.store_id,
            day=row.day,
        ):
            raise DomainError(N_('This pass is not genuine: its signature does not match.'))
        return row
    if not (len(value) == 6 and value.isdigit()):
        raise DomainError(N_("Scan the pass's QR code or type its 6-digit code."))
    todays_slots = select(SLOT.c.id).where(SLOT.c.day == local_day(now))
    # This store first (index on store and code); other stores only to say the pass belongs elsewhere.
    found = (
        session.execute(
            select(RES.c.id)
            .where(RES.c.store_id == store_id, RES.c.code == value, RES.c.slot_id.in_(todays_slots))
            .order_by(RES.c.id.desc())
            .limit(1)
        ).first()
        or session.execute(
            select(RES.c.id)
            .where(RES.c.code == value, RES.c.slot_id.in_(todays_slots))
            .order_by(RES.c.id.desc())
            .limit(1)
        ).first()
    )
    row = _row(session, found[0]) if found is not None else None
    if row is None:
        raise NotFound(N_('No reservation for today has this code.'))
    return row


def _check(row: Row[Any], *, store_id: int, now: datetime) -> None:
    """Refuse a handover with the reason: another store or day, picked up already, not booked."""
    if row.store_id != store_id:
        raise DomainError(N_('This pass is for another store: {store}.'), store=row.store_zh)
    if row.day != local_day(now):
        raise DomainError(N_('This pass is for {day}, not today.'), day=row.day.isoformat())
    if row.status == ReservationStatus.picked_up:
        when = f'{row.closed_at.astimezone(city_tz()):%H:%M}' if row.closed_at else '?'
        raise DomainError(N_('Already picked up at {time} by {staff}.'), time=when, staff=row.handled_by or '?')
    if row.status != ReservationStatus.booked:
        raise DomainError(
            N_('This reservation is {status}: nothing to hand over.'), status=booking.status_label(row.status)
        )


def _info(row: Row[Any]) -> PickupPublic:
    """What the pharmacist may see of a reservation."""
    return PickupPublic(
        reservation_id=row.id,
        masked_name=mask_name(row.real_name),
        item_name_zh=row.item_zh,
        item_name_en=row.item_en,
        quantity=row.quantity,
        unit_zh=row.unit_zh,
        unit_en=row.unit_en,
        store_name_zh=row.store_zh,
        store_name_en=row.store_en,
        day=row.day,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        status=str(getattr(row.status, 'value', row.status)),
        picked_up_at=row.closed_at if row.status == ReservationStatus.picked_up else None,
        handled_by=row.handled_by,
    )


def check_pass(
    session: Session, *, actor: Actor, store_id: int, text: str, now: datetime | None = None
) -> PickupPublic:
    """What the pharmacist sees for a pass (masked name, goods, slot) — or why it cannot be handed over."""
    staff.require_store(session, actor=actor, store_id=store_id)
    now = now or utcnow()
    row = _find(session, store_id=store_id, text=text, now=now)
    _check(row, store_id=store_id, now=now)
    return _info(row)


def hand_over(
    session: Session, *, actor: Actor, store_id: int, text: str, now: datetime | None = None, key: str | None = None
) -> PickupPublic:
    """Confirm the handover: single use (a second scan is refused with when and by whom; a second tap of the same
    button, under the same `key`, returns the first handover)."""
    staff.require_store(session, actor=actor, store_id=store_id)
    when = now or utcnow()
    return idempotency.once(
        session,
        actor=actor,
        action='reservations.hand_over',
        key=key,
        result=PickupPublic,
        run=lambda: _hand_over(session, actor=actor, store_id=store_id, text=text, now=when),
    )


def _hand_over(session: Session, *, actor: Actor, store_id: int, text: str, now: datetime) -> PickupPublic:
    """The handover itself (see `hand_over`)."""
    row = _find(session, store_id=store_id, text=text, now=now)
    _check(row, store_id=store_id, now=now)
    changed = common.changed(
        session,
        update(RES)
        .where(RES.c.id == row.id, RES.c.status == ReservationStatus.booked)
        .values(
            status=ReservationStatus.picked_up,
            closed_at=literal(now, RES.c.closed_at.type),
            handled_by=actor.label[:80],
        ),
    )
    if changed != 1:
        again = _row(session, row.id)
        if again is not None:
            _check(again, store_id=store_id, now=now)
        raise DomainError(N_('This reservation was changed meanwhile; please reload.'))
    session.execute(update(SLOT).where(SLOT.c.id == row.slot_id).values(picked_up=SLOT.c.picked_up + row.quantity))
    audit.record(
        session,
        actor_id=actor.account_id,
        actor_label=actor.label,
        action='reservation.picked_up',
        target=f'reservation:{row.id}',
        detail=f'store:{store_id}',
    )
    bus.stage(session, PICKED_UP, PickedUp(reservation_id=row.id, quantity=row.quantity), key=store_id)
    booking.stage_changed(
        session, account_id=row.account_id, reservation_ids=[row.id], status=ReservationStatus.picked_up
    )
    fresh = _row(session, row.id)
    assert fresh is not None
    return _info(fresh)
