"""Booking: first come, first served by an atomic conditional decrement; lottery applications; cancellation.

One booking is one short transaction. Nothing is read and then written back: the slot's stock and each
person's quota are changed by UPDATE statements whose WHERE clause carries the condition, so two buyers
(or one person in two sessions) can never both pass. A household is booked all or none. A person has at most one
active booking per slot (a partial unique index: the insert does nothing when there is one), and a page's
idempotency key makes a retry of the same tap return the first booking (services.idempotency).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import Row, select, update
from sqlmodel import Session

from models.common import utcnow
from models.reservations import AllocationMode, ReservationStatus
from services import db, idempotency
from services.access import Actor
from services.errors import N_, DomainError, Forbidden, NotFound
from services.events import bus
from services.reservations import common, fastpath, passes, stock
from services.reservations.common import BAN, ITEM, PERSON, RES, SLOT, STORE, local_text, person_name
from services.reservations.events import RESERVATION_CHANGED, ReservationChanged
from services.reservations.policy import window_opens_at
from services.reservations.quota import over_quota
from services.validation import mask_name

MAX_MEMBERS = 8


@dataclass(frozen=True)
class Booked:
    """What a booking returns: one reservation per person, and the slot's stock left."""

    reservation_ids: list[int]
    codes: list[str]
    remaining: int


def _slot_context(session: Session, slot_id: int) -> Row[Any]:
    query = (
        select(
            SLOT.c.store_id,
            SLOT.c.item_id,
            SLOT.c.day,
            SLOT.c.starts_at,
            SLOT.c.ends_at,
            STORE.c.closed,
            ITEM.c.active,
            ITEM.c.mode,
            ITEM.c.quota,
            ITEM.c.quota_days,
            ITEM.c.window_open_minute,
            ITEM.c.window_days_before,
        )
        .select_from(SLOT.join(STORE, STORE.c.id == SLOT.c.store_id).join(ITEM, ITEM.c.id == SLOT.c.item_id))
        .where(SLOT.c.id == slot_id)
    )
    row = session.execute(query).first()
    if row is None:
        raise NotFound(N_('No such pickup slot.'))
    return row


def _rules(ctx: Row[Any] | fastpath.Context, members: dict[int, int], now: datetime) -> None:
    """The refusals that need only the slot's context (a Core row or a fastpath.Context)."""
    for quantity in members.values():
        if not isinstance(quantity, int) or not 1 <= quantity <= ctx.quota:
            raise DomainError(N_('The quantity per person must be between 1 and {quota}.'), quota=ctx.quota)
    if not ctx.active:
        raise DomainError(N_('This item is not on offer at the moment.'))
    if ctx.closed:
        raise DomainError(N_('This store is closed; please choose another store.'))
    if ctx.ends_at <= now:
        raise DomainError(N_('This pickup slot is over; please choose a later slot.'))
    opens = window_opens_at(
        window_days_before=ctx.window_days_before, window_open_minute=ctx.window_open_minute, day=ctx.day
    )
    if now < opens:
        minutes = int((opens - now).total_seconds() // 60) + 1
        raise DomainError(
            N_('Booking for this slot opens at {when} (in {minutes} min).'), when=local_text(opens), minutes=minutes
        )


def _members_allowed(session: Session, actor: Actor, members: dict[int, int]) -> None:
    if not members:
        raise DomainError(N_('Please choose at least one person.'))
    if len(members) > MAX_MEMBERS:
        raise DomainError(N_('At most {limit} people can be booked at once.'), limit=MAX_MEMBERS)
    others = [p for p in members if p != actor.person_id]
    if others:
        allowed = session.execute(
            select(PERSON.c.id).where(PERSON.c.id.in_(others), PERSON.c.managed_by_account_id == actor.account_id)
        ).all()
        if len(allowed) != len(others):
            raise Forbidden(N_('You can only book for yourself and family members you manage.'))


def check(session: Session, actor: Actor, slot_id: int, members: dict[int, int], now: datetime) -> Row[Any]:
    """Everything that can be refused before stock is touched; returns the slot's context row."""
    _members_allowed(session, actor, members)
    ctx = _slot_context(session, slot_id)
    _rules(ctx, members, now)
    check_bans(session, list(members), now)
    return ctx


def check_bans(session: Session, person_ids: list[int], now: datetime) -> None:
    """Refuse when one of the people is barred from booking at `now` (too many missed pickups)."""
    row = session.execute(
        select(BAN.c.person_id, BAN.c.until).where(BAN.c.person_id.in_(person_ids), BAN.c.until > now).limit(1)
    ).first()
    if row is not None:
        raise DomainError(
            N_('{name} may not book until {until}: too many missed pickups.'),
            name=mask_name(person_name(session, row.person_id)),
            until=local_text(row.until),
        )


def insert_reservations(
    session: Session,
    *,
    actor: Actor,
    slot_id: int,
    store_id: int,
    item_id: int,
    members: dict[int, int],
    status: ReservationStatus,
    now: datetime,
) -> tuple[list[int], list[str]]:
    """Insert one reservation per person (with its pickup code); returns ids and codes."""
    key = passes.cached_key(session)
    ids: list[int] = []
    codes: list[str] = []
    for person_id, quantity in members.items():
        new_id = session.execute(
            common.upsert(session)(RES)
            .values(
                slot_id=slot_id,
                store_id=store_id,
                item_id=item_id,
                person_id=person_id,
                account_id=actor.account_id,
                quantity=quantity,
                status=status,
                code='',
                created_at=now,
                handled_by='',
            )
            .on_conflict_do_nothing()
            .returning(RES.c.id)
        ).scalar_one_or_none()
        if new_id is None:
            already_booked(session, person_id)
        code = passes.pickup_code(key, new_id)
        session.execute(update(RES).where(RES.c.id == new_id).values(code=code))
        ids.append(new_id)
        codes.append(code)
    return ids, codes


def already_booked(session: Session, person_id: int) -> NoReturn:
    """Refuse a second active booking of one person in one slot (the unique index found the first)."""
    raise DomainError(
        N_('{name} already has a booking in this slot: see My reservations.'),
        name=mask_name(person_name(session, person_id)),
    )


def _sold_out(left: int) -> NoReturn:
    if left == 0:
        raise DomainError(N_('Sold out: this slot has no stock left. You can join the waitlist.'))
    raise DomainError(N_('Not enough stock: this slot has only {remaining} left.'), remaining=left)


def reserve(
    session: Session,
    *,
    actor: Actor,
    slot_id: int,
    members: dict[int, int],
    now: datetime | None = None,
    key: str | None = None,
) -> Booked:
    """Book `members` (person id → quantity) in a first-come-first-served slot: all of them, or none; a retry
    under the same `key` returns the first booking."""
    when = now or utcnow()
    db.write_gate(session)  # before the first statement (the key's look-up)
    return idempotency.once(
        session,
        actor=actor,
        action='reservations.book',
        key=key,
        result=Booked,
        run=lambda: _reserve(session, actor=actor, slot_id=slot_id, members=members, now=when),
    )


def _reserve(session: Session, *, actor: Actor, slot_id: int, members: dict[int, int], now: datetime) -> Booked:
    """The booking itself (see `reserve`)."""
    _members_allowed(session, actor, members)
    sql = fastpath.Sql(session)
    ctx = fastpath.context(sql, slot_id)
    if ctx is None:
        raise NotFound(N_('No such pickup slot.'))
    _rules(ctx, members, now)
    if ctx.mode != AllocationMode.fcfs:
        raise DomainError(N_('This item is allocated by lottery: please apply for the draw instead.'))
    if ctx.remaining < sum(members.values()):  # a cheap early refusal; the conditional decrement still decides
        _sold_out(ctx.remaining)
    for person_id in members:
        if fastpath.banned(sql, person_id, now):
            check_bans(session, [person_id], now)
    key = passes.cached_key(session)
    ids: list[int] = []
    codes: list[str] = []
    # The rows first: a second booking of one person in this slot is refused here, before the quota could say
    # "over quota" instead (a retry from a new page of someone who booked their whole quota).
    for person_id, quantity in members.items():
        new_id = fastpath.insert(
            sql,
            slot_id=slot_id,
            store_id=ctx.store_id,
            item_id=ctx.item_id,
            person_id=person_id,
            account_id=actor.account_id,
            quantity=quantity,
            status=ReservationStatus.booked.value,
            now=now,
        )
        if new_id is None:
            already_booked(session, person_id)
        codes.append(passes.pickup_code(key, new_id))
        fastpath.set_code(sql, new_id, codes[-1])
        ids.append(new_id)
    window_ends = now + timedelta(days=ctx.quota_days)
    for person_id, quantity in members.items():
        if not fastpath.take_quota(
            sql,
            person_id=person_id,
            item_id=ctx.item_id,
            quantity=quantity,
            quota=ctx.quota,
            window_ends=window_ends,
            now=now,
        ):
            over_quota(session, person_id=person_id, item_id=ctx.item_id, quota=ctx.quota, quota_days=ctx.quota_days)
    # Last, so the hot row is locked for the shortest time (PostgreSQL): a refusal rolls everything back.
    row = fastpath.decrement(sql, slot_id=slot_id, quantity=sum(members.values()), now=now)
    if row is None:
        _sold_out(session.execute(select(SLOT.c.remaining).where(SLOT.c.id == slot_id)).scalar_one())
    stock.stage(
        session, store_id=ctx.store_id, slot_id=slot_id, item_id=ctx.item_id, remaining=row[0], capacity=row[1], now=now
    )
    stage_changed(session, account_id=actor.account_id, reservation_ids=ids, status=ReservationStatus.booked)
    return Booked(reservation_ids=ids, codes=codes, remaining=row[0])


def stage_changed(session: Session, *, account_id: int, reservation_ids: list[int], status: ReservationStatus) -> None:
    """Tell the booker's open pages (after commit) that these reservations changed."""
    payload = ReservationChanged(reservation_ids=tuple(reservation_ids), status=status)
    bus.stage(session, RESERVATION_CHANGED, payload, key=account_id)


STATUS_LABELS = {
    'booked': N_('booked'),
    'picked_up': N_('picked up'),
    'cancelled': N_('reservation cancelled'),
    'no_show': N_('not picked up'),
    'applied': N_('applied for the draw'),
    'lost': N_('not drawn'),
}


def status_label(status: str) -> str:
    """The msgid naming a reservation status."""
    return STATUS_LABELS.get(str(getattr(status, 'value', status)), str(status))
