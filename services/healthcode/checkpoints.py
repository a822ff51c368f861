"""Checkpoints: verify a scanned code, take a temperature, record every pass; 'show code' passes; purge."""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, func, select

from models.accounts import Person, Role
from models.common import utcnow
from models.healthcode import Checkpoint, CheckpointPublic, PassRecord, PassRecordPublic
from services import audit, idempotency
from services.access import Actor, person_for, require_role
from services.errors import N_, DomainError, NotFound
from services.events import bus
from services.healthcode import codes, keys
from services.healthcode.events import PASS_RECORDED, PassRecorded
from services.healthcode.records import current_colour, record_temperature
from services.healthcode.rules import GREEN, is_fever
from services.healthcode.tokens import PREFIX, Claims, TokenError, verify
from services.settings import settings
from services.validation import mask_name

MODES = ('scan_temperature', 'show_code')
NEEDS_READING = N_('Enter the temperature first: this checkpoint takes a reading with every scan.')
POSTER_DAYS = 366


@dataclass
class Verdict:
    """What the checkpoint screen shows: PASS or STOP (or REFUSED: the code itself is bad), and why."""

    result: str  # pass | stop | refused
    colour: str = ''
    masked_name: str = ''
    reason: str = ''  # msgid
    params: dict[str, Any] = field(default_factory=dict)
    temperature: float | None = None


def _view(row: Checkpoint) -> CheckpointPublic:
    return CheckpointPublic.model_validate(row, from_attributes=True)


def list_checkpoints(session: Session) -> list[CheckpointPublic]:
    """Active checkpoints, by id."""
    return [
        _view(r) for r in session.exec(select(Checkpoint).where(col(Checkpoint.active)).order_by(col(Checkpoint.id)))
    ]


def get_checkpoint(session: Session, *, checkpoint_id: int) -> CheckpointPublic:
    """One active checkpoint."""
    row = session.get(Checkpoint, checkpoint_id)
    if row is None or not row.active:
        raise NotFound(N_('No such checkpoint.'))
    return _view(row)


def set_mode(session: Session, *, actor: Actor, checkpoint_id: int, mode: str) -> CheckpointPublic:
    """Switch a checkpoint between 'scan + temperature' and 'show code'."""
    require_role(actor, Role.admin)
    if mode not in MODES:
        raise DomainError(N_('Unknown checkpoint mode.'))
    row = session.get(Checkpoint, checkpoint_id)
    if row is None:
        raise NotFound(N_('No such checkpoint.'))
    row.mode = mode
    session.add(row)
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='healthcode.checkpoint_mode',
                 target=f'checkpoint:{checkpoint_id}', detail=mode)  # fmt: skip
    return _view(row)


def poster_token(session: Session, *, actor: Actor, checkpoint_id: int) -> str:
    """The checkpoint's own signed QR (for its poster): residents scan it to say where they passed."""
    require_role(actor, Role.checkpoint)
    get_checkpoint(session, checkpoint_id=checkpoint_id)
    return codes.sign(session, kind='K', subject=f'cp{checkpoint_id}', colour=GREEN, ttl_s=POSTER_DAYS * 86400)


def _verified(session: Session, text: str) -> Claims:
    from services.healthcode.tokens import split

    kid = split(text)[0].kid
    return verify(text, keys.public_keys_for(session, kid), time.time())


def _record(session: Session, *, checkpoint_id: int, person: Person, result: str, colour: str,
            temperature: float | None, method: str, actor: Actor | None) -> None:  # fmt: skip
    assert person.id is not None
    session.add(PassRecord(checkpoint_id=checkpoint_id, person_id=person.id, result=result, colour=colour,
                           temperature=temperature, method=method,
                           staff_account_id=actor.account_id if actor else None))  # fmt: skip
    bus.stage(session, PASS_RECORDED, PassRecorded(checkpoint_id=checkpoint_id, result=result), key=checkpoint_id)


def scan(session: Session, *, actor: Actor, checkpoint_id: int, text: str, temperature: str = '',
         key: str | None = None) -> Verdict:  # fmt: skip
    """Verify a scanned or typed code at a checkpoint (with a reading in 'scan + temperature' mode) and record it;
    a repeat under the same key (a double submit, a retry) returns the first verdict and records nothing more."""
    require_role(actor, Role.checkpoint)
    return idempotency.once(session, actor=actor, action='healthcode.pass', key=key, result=Verdict,
                            run=lambda: _scan(session, actor=actor, checkpoint_id=checkpoint_id, text=text,
                                              temperature=temperature))  # fmt: skip


def _person_of(session: Session, raw: str) -> tuple[Person, str, str]:
    """The person behind a token (exactly as issued) or a short code: (person, method, the token's colour)."""
    if raw.strip()[: len(PREFIX)].upper() == PREFIX:  # a token: verified as given, any other spelling refused
        claims = _verified(session, raw)
        if claims.kind == 'K':
            raise TokenError(N_('This is a checkpoint poster, not a personal code.'))
        if claims.kind == 'P':
            codes.check_paper(session, nonce=claims.nonce)
        person = session.exec(select(Person).where(Person.subject_id == claims.subject)).first()
        if person is None:
            raise TokenError(N_('Unknown person: this code is no longer valid.'))
        return person, 'paper' if claims.kind == 'P' else 'scan', claims.colour
    if len(codes.clean_short_code(raw)) == codes.PAPER_SHORT_LENGTH:  # the code printed on a paper code
        paper = codes.paper_for_short_code(session, code=raw)
        owner = session.get(Person, paper.person_id)
        if owner is None:
            raise TokenError(N_('Unknown person: this code is no longer valid.'))
        return owner, 'paper', ''
    return codes.person_for_short_code(session, code=raw.strip()), 'short', ''


def _scan(session: Session, *, actor: Actor, checkpoint_id: int, text: str, temperature: str) -> Verdict:
    checkpoint = get_checkpoint(session, checkpoint_id=checkpoint_id)
    try:
        person, method, token_colour = _person_of(session, text or '')
    except DomainError as error:
        return Verdict(result='refused', reason=error.message, params=error.params)
    assert person.id is not None
    if checkpoint.mode == 'scan_temperature' and not temperature.strip():
        raise DomainError(NEEDS_READING)  # nothing recorded: the staff enter the reading and scan again
    reading = None
    if temperature.strip():
        place = f'{checkpoint.name_zh} {checkpoint.name_en}'
        reading = record_temperature(session, person_id=person.id, celsius=temperature, place=place,
                                     account_id=actor.account_id)  # fmt: skip
    colour = current_colour(session, person_id=person.id)
    verdict = Verdict(result='pass' if colour == GREEN else 'stop', colour=colour,
                      masked_name=mask_name(person.real_name), temperature=reading)  # fmt: skip
    if reading is not None and is_fever(f'{reading}'):
        verdict.result, verdict.reason = 'stop', N_('Fever reading: measure again within 1 hour.')
    elif token_colour and token_colour != colour:
        verdict.result = 'stop'
        verdict.reason = N_('The colour changed since this code was shown: ask for the live screen.')
    elif method == 'paper':
        verdict.reason = N_('Paper code: check the ID card.')
    _record(session, checkpoint_id=checkpoint_id, person=person, result=verdict.result, colour=colour,
            temperature=reading, method=method, actor=actor)  # fmt: skip
    # Staff saw this person's colour and masked name: a read of their data (whom by id, never the ID number).
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='checkpoint.verify',
                 target=f'person:{person.id}',
                 detail=f'checkpoint:{checkpoint_id} {method} {verdict.result} {colour}')  # fmt: skip
    return verdict


def show_code_pass(session: Session, *, actor: Actor, person_id: int, poster: str,
                   key: str | None = None) -> Verdict:  # fmt: skip
    """'I passed': the resident scanned the checkpoint's poster in 'show code' mode; the pass is recorded (once per
    key: a double submit or a retry returns the first verdict)."""
    return idempotency.once(
        session,
        actor=actor,
        action='healthcode.pass',
        key=key,
        result=Verdict,
        run=lambda: _show_code_pass(session, actor=actor, person_id=person_id, poster=poster),
    )


def _show_code_pass(session: Session, *, actor: Actor, person_id: int, poster: str) -> Verdict:
    person = person_for(session, actor, person_id)
    try:
        claims = _verified(session, poster)
        if claims.kind != 'K' or not claims.subject.startswith('cp'):
            raise TokenError(N_("This is not a checkpoint's poster code."))
        checkpoint = get_checkpoint(session, checkpoint_id=int(claims.subject[2:]))
    except (DomainError, ValueError) as error:
        if isinstance(error, DomainError):
            raise
        raise DomainError(N_("This is not a checkpoint's poster code.")) from None
    if checkpoint.mode != 'show_code':
        raise DomainError(N_('This checkpoint scans codes: show your code to the staff.'))
    assert person.id is not None
    colour = current_colour(session, person_id=person.id)
    result = 'pass' if colour == GREEN else 'stop'
    _record(session, checkpoint_id=checkpoint.id, person=person, result=result, colour=colour, temperature=None,
            method='show', actor=None)  # fmt: skip
    return Verdict(result=result, colour=colour, masked_name=mask_name(person.real_name),
                   params={'checkpoint_zh': checkpoint.name_zh, 'checkpoint_en': checkpoint.name_en})  # fmt: skip


def my_passes(session: Session, *, actor: Actor, person_id: int, limit: int = 20) -> list[PassRecordPublic]:
    """Where this person's code was checked, newest first."""
    person = person_for(session, actor, person_id)
    query = (select(PassRecord, Checkpoint).join(Checkpoint, col(Checkpoint.id) == PassRecord.checkpoint_id)
             .where(PassRecord.person_id == person.id).order_by(col(PassRecord.at).desc()).limit(limit))  # fmt: skip
    return [PassRecordPublic(at=p.at, checkpoint_zh=c.name_zh, checkpoint_en=c.name_en, result=p.result,
                             colour=p.colour, temperature=p.temperature) for p, c in session.exec(query)]  # fmt: skip


def hourly_counts(session: Session, *, checkpoint_id: int, hours: int = 4) -> list[tuple[datetime, int, int]]:
    """(hour start, passes, stops) for the last `hours` hours, current hour first."""
    now = utcnow()
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    rows = session.exec(select(PassRecord.at, PassRecord.result).where(PassRecord.checkpoint_id == checkpoint_id,
                                                                       col(PassRecord.at) >= start))  # fmt: skip
    buckets = {start + timedelta(hours=i): [0, 0] for i in range(hours)}
    for at, result in rows:
        bucket = buckets.get(at.replace(minute=0, second=0, microsecond=0))
        if bucket is not None:
            bucket[0 if result == 'pass' else 1] += 1
    return [(hour, p, s) for hour, (p, s) in sorted(buckets.items(), reverse=True)]


def purge_passes(session: Session, *, days: int | None = None, now: datetime | None = None) -> int:
    """Delete pass records older than the retention period (default PASS_RETENTION_DAYS); the purge is logged."""
    keep = settings.pass_retention_days if days is None else days
    cutoff = (now or utcnow()) - timedelta(days=keep)
    count = session.exec(select(func.count()).select_from(PassRecord).where(col(PassRecord.at) < cutoff)).one()
    if count:
        session.exec(delete(PassRecord).where(col(PassRecord.at) < cutoff))
    detail = f'{count} pass records older than {keep} days (before {cutoff:%Y-%m-%d %H:%M} UTC)'
    audit.record(session, actor_id=None, actor_label='system', action='healthcode.passes_purged', detail=detail)
    return int(count)
