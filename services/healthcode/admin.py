"""Admins: mark close contacts or set a colour by hand (always with a reason; more than 10 people need a second
admin's approval), and contact tracing from a confirmed case's passes. Every look-up of people is audited."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from models.accounts import Person, Role
from models.common import utcnow
from models.healthcode import Checkpoint, ColourChange, ColourChangePerson, ColourChangePublic, HealthRecord, PassRecord
from services import audit, idempotency
from services.access import Actor, require_role
from services.errors import N_, DomainError, NotFound
from services.healthcode.records import append_records
from services.healthcode.rules import COLOURS
from services.idcard import mask_id_number, normalize_id_number
from services.validation import clean_text, mask_name

APPROVAL_ABOVE = 10
TRACE_WINDOW = timedelta(hours=2)
TRACE_DAYS = 14
# No upper limit on the people of one change (a traced case may name thousands, a district far more): they are
# rows of hc_change_person, read, checked and applied BATCH at a time (bounded IN-lists: SQLite's variable limit).
BATCH = 500
T = TypeVar('T')


@dataclass(frozen=True)
class PersonRow:
    """A person as an admin sees them (masked), with the contact time and place when traced."""

    person_id: int
    masked_name: str
    masked_id_number: str
    contact_at: datetime | None = None
    checkpoint_zh: str = ''
    checkpoint_en: str = ''


def _row(person: Person, **extra: object) -> PersonRow:
    assert person.id is not None
    return PersonRow(person_id=person.id, masked_name=mask_name(person.real_name),
                     masked_id_number=mask_id_number(person.id_number), **extra)  # type: ignore[arg-type]  # fmt: skip


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def find_people(session: Session, *, actor: Actor, id_numbers: str) -> list[PersonRow]:
    """Resolve a list of ID numbers (one per line, or separated by commas); unknown ones are refused by name.
    Each person found is a staff read of their data: one audit row each."""
    require_role(actor, Role.admin)
    numbers = [n for n in (p.strip() for p in id_numbers.replace(',', '\n').replace('，', '\n').splitlines()) if n]
    if not numbers:
        raise DomainError(N_('Please enter at least one ID number.'))
    normalized = list(dict.fromkeys(normalize_id_number(n) for n in numbers))
    people: dict[str, Person] = {}
    for chunk in _chunks(normalized):
        people.update((p.id_number, p) for p in session.exec(select(Person).where(col(Person.id_number).in_(chunk))))
    unknown = [n for n in normalized if n not in people]
    if unknown:
        raise DomainError(N_('Nobody is registered with ID number {number}.'), number=mask_id_number(unknown[0]))
    rows = [_row(people[n]) for n in normalized]
    audit.record_many(session, actor_id=actor.account_id, actor_label=actor.label, action='person.read',
                      targets=[f'person:{r.person_id}' for r in rows],
                      detail=f'healthcode: ID-number look-up ({len(rows)} people)')  # fmt: skip
    return rows


def request_change(session: Session, *, actor: Actor, kind: str, person_ids: list[int], reason: str,
                   colour: str = '', at: datetime | None = None, until: datetime | None = None,
                   contact_times: dict[int, datetime] | None = None,
                   key: str | None = None) -> ColourChangePublic:  # fmt: skip
    """Mark close contacts (kind 'close_contact') or set a colour ('set_colour'); applied at once for up to 10
    people, otherwise it waits for a second admin. Any number of people, up to the whole city."""
    require_role(actor, Role.admin)
    return idempotency.once(session, actor=actor, action='healthcode.change', key=key, result=ColourChangePublic,
                            run=lambda: _request(session, actor=actor, kind=kind, person_ids=person_ids,
                                                 reason=reason, colour=colour, at=at, until=until,
                                                 contact_times=contact_times or {}))  # fmt: skip


def _request(session: Session, *, actor: Actor, kind: str, person_ids: list[int], reason: str, colour: str,
             at: datetime | None, until: datetime | None,
             contact_times: dict[int, datetime]) -> ColourChangePublic:  # fmt: skip
    reason = clean_text(reason, field=N_('Reason'), max_length=300)
    if len(reason) < 4:
        raise DomainError(N_('Please give a reason the resident can understand.'))
    if kind not in ('close_contact', 'set_colour'):
        raise DomainError(N_('Unknown kind of change.'))
    if kind == 'set_colour' and colour not in COLOURS:
        raise DomainError(N_('Please choose a colour.'))
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        raise DomainError(N_('Please choose at least one person.'))
    moment = at or utcnow()
    if moment > utcnow() + timedelta(minutes=5) or (until is not None and until <= utcnow()):
        raise DomainError(N_('Please check the times: contact lies in the past, the end in the future.'))
    for chunk in _chunks(ids):  # refused before anything is written, instead of a foreign-key error
        found = session.exec(select(func.count()).select_from(Person).where(col(Person.id).in_(chunk))).one()
        if found != len(chunk):
            raise NotFound(N_('No such person.'))
    change = ColourChange(kind=kind, people=len(ids), colour=colour, at=moment, until=until, reason=reason,
                          requested_by_account_id=actor.account_id, requested_by_label=actor.label)  # fmt: skip
    session.add(change)
    session.flush()
    assert change.id is not None
    for chunk in _chunks(ids):
        rows = [{'change_id': change.id, 'person_id': pid, 'contact_at': contact_times.get(pid)} for pid in chunk]
        session.execute(insert(ColourChangePerson), rows)
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='healthcode.change_requested',
                 target=f'change:{change.id}', detail=f'{kind} {colour} x{len(ids)}: {reason}')  # fmt: skip
    if len(ids) <= APPROVAL_ABOVE:
        _apply(session, change, actor)
    return _change_view(change)


def _apply(session: Session, change: ColourChange, actor: Actor) -> None:
    """Write the change's records batch by batch (bounded queries and memory, however many people it names);
    all in the caller's transaction, so a change is applied whole or not at all."""
    now, last = utcnow(), 0
    while True:
        batch = session.exec(select(ColourChangePerson.person_id, ColourChangePerson.contact_at)
                             .where(ColourChangePerson.change_id == change.id, ColourChangePerson.person_id > last)
                             .order_by(col(ColourChangePerson.person_id)).limit(BATCH)).all()  # fmt: skip
        if not batch:
            break
        records = [_record_for(change, pid, contact_at, now, actor) for pid, contact_at in batch]
        append_records(session, records, together=change.people)
        audit.record_many(session, actor_id=actor.account_id, actor_label=actor.label, action='healthcode.changed',
                          targets=[f'person:{pid}' for pid, _at in batch],
                          detail=f'{change.kind} {change.colour} ({change.reason})')  # fmt: skip
        for record in records:  # written: nothing more to track for them
            session.expunge(record)
        last = batch[-1][0]
    change.status = 'applied'
    change.decided_by_account_id = actor.account_id
    change.decided_at = utcnow()
    session.add(change)


def _record_for(change: ColourChange, person_id: int, contact_at: datetime | None, now: datetime,
                actor: Actor) -> HealthRecord:  # fmt: skip
    if change.kind == 'close_contact':
        return HealthRecord(person_id=person_id, kind='official', value='close_contact', at=contact_at or change.at,
                            note=change.reason, recorded_by_account_id=actor.account_id)  # fmt: skip
    return HealthRecord(person_id=person_id, kind='manual', value=change.colour, at=now, until=change.until,
                        note=change.reason, recorded_by_account_id=actor.account_id)  # fmt: skip


def _pending(session: Session, change_id: int) -> ColourChange:
    change = session.get(ColourChange, change_id)
    if change is None:
        raise NotFound(N_('No such change.'))
    if change.status != 'pending':
        raise DomainError(N_('This change was decided already.'))
    return change


def approve_change(session: Session, *, actor: Actor, change_id: int, key: str | None = None) -> ColourChangePublic:
    """A second admin approves a change that touches more than 10 people; it is applied now (in batches)."""
    require_role(actor, Role.admin)

    def run() -> ColourChangePublic:
        change = _pending(session, change_id)
        if change.requested_by_account_id == actor.account_id:
            raise DomainError(N_('A second admin must approve: you cannot approve your own change.'))
        _apply(session, change, actor)
        audit.record(session, actor_id=actor.account_id, actor_label=actor.label,
                     action='healthcode.change_approved', target=f'change:{change.id}')  # fmt: skip
        return _change_view(change)

    return idempotency.once(session, actor=actor, action='healthcode.decide', key=key, run=run,
                            result=ColourChangePublic)  # fmt: skip


def reject_change(session: Session, *, actor: Actor, change_id: int, key: str | None = None) -> ColourChangePublic:
    """Turn down a pending change (the requester may withdraw their own)."""
    require_role(actor, Role.admin)

    def run() -> ColourChangePublic:
        change = _pending(session, change_id)
        change.status, change.decided_by_account_id, change.decided_at = 'rejected', actor.account_id, utcnow()
        session.add(change)
        audit.record(session, actor_id=actor.account_id, actor_label=actor.label,
                     action='healthcode.change_rejected', target=f'change:{change.id}')  # fmt: skip
        return _change_view(change)

    return idempotency.once(session, actor=actor, action='healthcode.decide', key=key, run=run,
                            result=ColourChangePublic)  # fmt: skip


def _change_view(change: ColourChange) -> ColourChangePublic:
    assert change.id is not None
    return ColourChangePublic(id=change.id, kind=change.kind, count=change.people, colour=change.colour,
                              reason=change.reason, status=change.status, requested_by=change.requested_by_label,
                              requested_by_account_id=change.requested_by_account_id,
                              requested_at=change.requested_at)  # fmt: skip


def changes(session: Session, *, actor: Actor, limit: int = 30) -> list[ColourChangePublic]:
    """Pending changes first, then the latest decided ones."""
    require_role(actor, Role.admin)
    rows = session.exec(select(ColourChange).order_by(col(ColourChange.status) != 'pending',
                                                      col(ColourChange.id).desc()).limit(limit))  # fmt: skip
    return [_change_view(c) for c in rows]


def trace_contacts(session: Session, *, actor: Actor, id_number: str, days: int = TRACE_DAYS) -> list[PersonRow]:
    """Everyone who passed the same checkpoints as the case within ±2 hours (last `days` days); logged."""
    require_role(actor, Role.admin)
    number = normalize_id_number(id_number)
    case = session.exec(select(Person).where(Person.id_number == number)).first()
    if case is None:
        raise NotFound(N_('Nobody is registered with ID number {number}.'), number=mask_id_number(number))
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='person.read',
                 target=f'person:{case.id}', detail='contact tracing')  # fmt: skip
    since = utcnow() - timedelta(days=days)
    visits = session.exec(select(PassRecord).where(PassRecord.person_id == case.id, col(PassRecord.at) >= since))
    found: dict[int, tuple[datetime, int]] = {}
    for visit in visits:
        others = session.exec(select(PassRecord).where(PassRecord.checkpoint_id == visit.checkpoint_id,
                                                       PassRecord.person_id != case.id,
                                                       col(PassRecord.at) >= visit.at - TRACE_WINDOW,
                                                       col(PassRecord.at) <= visit.at + TRACE_WINDOW))  # fmt: skip
        for other in others:
            latest = found.get(other.person_id)
            if latest is None or other.at > latest[0]:
                found[other.person_id] = (other.at, other.checkpoint_id)
    if not found:
        return []
    people: dict[int | None, Person] = {}
    for chunk in _chunks(list(found)):
        people.update((p.id, p) for p in session.exec(select(Person).where(col(Person.id).in_(chunk))))
    names = {c.id: c for c in session.exec(select(Checkpoint))}
    rows = []
    for pid, (at, cp) in sorted(found.items(), key=lambda item: item[1][0]):
        checkpoint = names.get(cp)
        rows.append(_row(people[pid], contact_at=at, checkpoint_zh=checkpoint.name_zh if checkpoint else '',
                         checkpoint_en=checkpoint.name_en if checkpoint else ''))  # fmt: skip
    # The admin now sees each contact (masked, with time and place): a staff read of their data too.
    audit.record_many(session, actor_id=actor.account_id, actor_label=actor.label, action='person.read',
                      targets=[f'person:{r.person_id}' for r in rows],
                      detail=f'contact tracing: contact of person:{case.id}')  # fmt: skip
    return rows
