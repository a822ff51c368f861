"""Health records (append-only) and the colour they give: every write compares colours and announces a change."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models.accounts import Person
from models.common import utcnow
from models.healthcode import HealthRecord
from services.access import Actor
from services.errors import N_, DomainError, NotFound
from services.events import bus
from services.healthcode.events import CODE_CHANGED, CodeChanged
from services.healthcode.rules import Assessment, RecordView, evaluate

CLINIC_OUTCOMES = ('self_care', 'home_isolation', 'offline_clinic', 'suspected')
SYMPTOMS = ('fever', 'cough', 'fatigue', 'sore_throat', 'loss_of_smell')
TEMPERATURE_MIN, TEMPERATURE_MAX = 34.0, 43.0
FUTURE_TOLERANCE = timedelta(minutes=5)


def _views(rows: list[HealthRecord]) -> list[RecordView]:
    return [RecordView(kind=r.kind, value=r.value, at=r.at, id=r.id or 0, place=r.place, note=r.note,
                       contact=r.contact, risk_area=r.risk_area, until=r.until) for r in rows]  # fmt: skip


def records_of(session: Session, *, person_id: int) -> list[HealthRecord]:
    """Every record of one person, oldest first."""
    query = select(HealthRecord).where(HealthRecord.person_id == person_id)
    return list(session.exec(query.order_by(col(HealthRecord.at), col(HealthRecord.id))))


def assess(session: Session, *, person_id: int, now: datetime | None = None) -> Assessment:
    """The colour of one person now, with its reasons."""
    return evaluate(_views(records_of(session, person_id=person_id)), now or utcnow())


def current_colour(session: Session, *, person_id: int) -> str:
    """'green' | 'yellow' | 'red' for one person, derived from their records now."""
    return assess(session, person_id=person_id).colour


def _grouped(session: Session, person_ids: list[int]) -> dict[int, list[RecordView]]:
    rows = session.exec(select(HealthRecord).where(col(HealthRecord.person_id).in_(person_ids)))
    grouped: dict[int, list[RecordView]] = {pid: [] for pid in person_ids}
    for row in rows:
        grouped[row.person_id].extend(_views([row]))
    return grouped


def colours_of(session: Session, *, person_ids: list[int], now: datetime | None = None) -> dict[int, str]:
    """Current colours of many people with one query."""
    if not person_ids:
        return {}
    moment = now or utcnow()
    return {pid: evaluate(items, moment).colour for pid, items in _grouped(session, person_ids).items()}


def append_records(session: Session, records: list[HealthRecord], *, together: int | None = None) -> None:
    """Add records in the caller's transaction; announce CODE_CHANGED for each person whose colour moved
    (`together`: how many people the whole change touches, when it comes in several batches)."""
    if not records:
        return
    now = utcnow()
    for record in records:
        if record.at.tzinfo is None:
            raise DomainError(N_('Times must carry a time zone.'))
        if record.at > now + FUTURE_TOLERANCE:
            raise DomainError(N_('A record cannot lie in the future.'))
    person_ids = sorted({r.person_id for r in records})
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids)))}
    missing = [pid for pid in person_ids if pid not in people]
    if missing:
        raise NotFound(N_('No such person.'))
    existing = _grouped(session, person_ids)  # one query; 'after' adds the new records in memory
    before = {pid: evaluate(items, now).colour for pid, items in existing.items()}
    for record in records:
        session.add(record)
    session.flush()
    for view, record in zip(_views(records), records, strict=True):
        existing[record.person_id].append(view)
    after = {pid: evaluate(items, now).colour for pid, items in existing.items()}
    notes = {r.person_id: r.note for r in sorted(records, key=lambda r: r.at)}
    changed = [pid for pid in person_ids if before[pid] != after[pid]]
    for pid in changed:
        payload = CodeChanged(
            colour=after[pid], person_id=pid, note=notes[pid] or '', changed_together=max(len(changed), together or 0)
        )
        bus.stage(session, CODE_CHANGED, payload, key=people[pid].subject_id)


def record_clinic_outcome(session: Session, *, person_id: int, outcome: str, consultation_id: int,
                          at: datetime) -> None:  # fmt: skip
    """The fever clinic's outcome for a person: home isolation gives yellow, suspected red (by the rules file)."""
    if outcome not in CLINIC_OUTCOMES:
        raise DomainError(N_('Unknown clinic outcome: {outcome}.'), outcome=outcome)
    append_records(session, [HealthRecord(person_id=person_id, kind='clinic', value=outcome, at=at,
                                          place='fever clinic', note=f'consultation:{consultation_id}')])  # fmt: skip


def parse_temperature(raw: str | float) -> float:
    """A body temperature in °C, 34.0–43.0; anything else is refused as a typo."""
    try:
        value = round(float(str(raw).strip().replace(',', '.').replace('℃', '').replace('°C', '')), 1)
    except ValueError:
        raise DomainError(N_('Please enter the temperature as a number, for example 36.6.')) from None
    if not TEMPERATURE_MIN <= value <= TEMPERATURE_MAX:
        raise DomainError(N_('{value} °C is outside 34.0–43.0 °C: please measure again.'), value=value)
    return value


def record_temperature(session: Session, *, person_id: int, celsius: float | str, place: str,
                       at: datetime | None = None, account_id: int | None = None) -> float:  # fmt: skip
    """A temperature reading (checkpoint or declaration); a fever reading gives yellow until a retest."""
    value = parse_temperature(celsius)
    append_records(session, [HealthRecord(person_id=person_id, kind='temperature', value=f'{value:.1f}',
                                          at=at or utcnow(), place=place[:80],
                                          recorded_by_account_id=account_id)])  # fmt: skip
    return value


def record_test(session: Session, *, person_id: int, result: str, at: datetime, place: str = '',
                account_id: int | None = None) -> None:  # fmt: skip
    """A nucleic acid test result: 'positive' or 'negative'."""
    if result not in ('positive', 'negative'):
        raise DomainError(N_('A test result is positive or negative.'))
    append_records(session, [HealthRecord(person_id=person_id, kind='test', value=result, at=at, place=place[:80],
                                          recorded_by_account_id=account_id)])  # fmt: skip


def record_declaration(session: Session, *, person_id: int, symptoms: list[str], contact: bool, risk_area: bool,
                       at: datetime | None = None, place: str = '') -> None:  # fmt: skip
    """A daily self-declaration: symptoms, contact with a confirmed case, arrival from a risk area."""
    unknown = [s for s in symptoms if s not in SYMPTOMS]
    if unknown:
        raise DomainError(N_('Unknown symptom: {symptom}.'), symptom=unknown[0])
    append_records(session, [HealthRecord(person_id=person_id, kind='declaration', value=','.join(symptoms),
                                          contact=contact, risk_area=risk_area, at=at or utcnow(),
                                          place=place[:80])])  # fmt: skip


def declare(session: Session, *, actor: Actor, symptoms: list[str], contact: bool, risk_area: bool) -> None:
    """The signed-in resident's own daily declaration."""
    if actor.person_id is None:
        raise DomainError(N_('Please complete your profile first.'))
    record_declaration(session, person_id=actor.person_id, symptoms=symptoms, contact=contact, risk_area=risk_area)
