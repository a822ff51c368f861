"""Issuing codes: the live code (60 s), the short code for manual entry, the paper code (30 days, revocable)."""

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from models.accounts import Person
from models.common import utcnow
from models.healthcode import PaperCode, PaperCodePublic, ShortCode
from services import audit
from services.access import Actor, person_for
from services.errors import N_, DomainError, NotFound
from services.healthcode import keys
from services.healthcode.records import assess
from services.healthcode.rules import Reason, rulebook
from services.healthcode.tokens import Claims, encode
from services.validation import mask_name

CODE_TTL_S = 60
PAPER_DAYS = 30
SHORT_TTL = timedelta(minutes=3)
SHORT_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'  # no 0/O, 1/I/L


@dataclass(frozen=True)
class Explanation:
    """One reason in words: the rule (both languages), the record (when, where) and how it ends."""

    rule_id: str
    colour: str
    text_en: str
    text_zh: str
    ends_en: str
    ends_zh: str
    record_kind: str
    record_value: str
    record_at: datetime
    place: str
    note: str
    until: datetime | None
    needs_test: bool


@dataclass(frozen=True)
class LiveCode:
    """The live code of one person: the signed token, its colour in force and why."""

    person_id: int
    masked_name: str
    relation: str | None
    colour: str
    token: str
    issued_at: datetime
    expires_at: datetime
    reasons: list[Explanation]
    rules_version: str


def explain(reason: Reason) -> Explanation:
    """A rule-engine reason with the rule's published texts."""
    rule = rulebook().rules[reason.rule_id]
    record = reason.record
    return Explanation(rule_id=rule.id, colour=reason.colour, text_en=rule.text_en, text_zh=rule.text_zh,
                       ends_en=rule.ends_en, ends_zh=rule.ends_zh, record_kind=record.kind, record_value=record.value,
                       record_at=record.at, place=record.place, note=record.note, until=reason.until,
                       needs_test=reason.needs_test)  # fmt: skip


def sign(session: Session, *, kind: str, subject: str, colour: str, ttl_s: int, nonce: str | None = None) -> str:
    """Sign a token with the active key."""
    key = keys.signing_key(session)
    now = int(time.time())
    claims = Claims(kind=kind, kid=key.kid, colour=colour, issued_at=now, expires_at=now + ttl_s,
                    nonce=nonce or secrets.token_hex(6), subject=subject)  # fmt: skip
    return encode(claims, key.private)


def issue_for(session: Session, *, person: Person) -> LiveCode:
    """A fresh live code for `person` (no access check: callers check)."""
    assert person.id is not None
    assessment = assess(session, person_id=person.id)
    token = sign(session, kind='C', subject=person.subject_id, colour=assessment.colour, ttl_s=CODE_TTL_S)
    now = utcnow()
    return LiveCode(person_id=person.id, masked_name=mask_name(person.real_name), relation=person.relation,
                    colour=assessment.colour, token=token, issued_at=now,
                    expires_at=now + timedelta(seconds=CODE_TTL_S),
                    reasons=[explain(r) for r in assessment.reasons], rules_version=rulebook().version)  # fmt: skip


def issue_code(session: Session, *, actor: Actor, person_id: int) -> LiveCode:
    """The live code of the resident or of a family member they manage."""
    return issue_for(session, person=person_for(session, actor, person_id))


def new_short_code(session: Session, *, actor: Actor, person_id: int) -> str:
    """A short code (8 characters, 3 minutes) the resident can read out when the camera fails."""
    person = person_for(session, actor, person_id)
    assert person.id is not None
    session.exec(delete(ShortCode).where(col(ShortCode.expires_at) < utcnow()))
    code = ''.join(secrets.choice(SHORT_ALPHABET) for _ in range(8))
    session.add(ShortCode(code=code, person_id=person.id, expires_at=utcnow() + SHORT_TTL))
    return code


def person_for_short_code(session: Session, *, code: str) -> Person:
    """The person behind a short code that has not expired."""
    cleaned = code.strip().upper().replace(' ', '').replace('-', '')
    if not cleaned or len(cleaned) > 10 or not set(cleaned) <= set(SHORT_ALPHABET):
        raise DomainError(N_('This is not a Spring City Cloud code.'))
    row = session.get(ShortCode, cleaned)
    if row is None or row.expires_at < utcnow():
        raise DomainError(N_('Unknown or expired short code: ask for a new one.'))
    person = session.get(Person, row.person_id)
    if person is None:
        raise NotFound(N_('No such person.'))
    return person


def issue_paper_code(session: Session, *, actor: Actor, person_id: int) -> PaperCodePublic:
    """A printable code for a family member without a phone: signed, 30 days, revocable, 'check ID card'."""
    person = person_for(session, actor, person_id)
    assert person.id is not None
    nonce = secrets.token_hex(6)
    token = sign(session, kind='P', subject=person.subject_id, colour='green', ttl_s=PAPER_DAYS * 86400, nonce=nonce)
    now = utcnow()
    paper = PaperCode(person_id=person.id, nonce=nonce, issued_at=now, expires_at=now + timedelta(days=PAPER_DAYS),
                      issued_by_account_id=actor.account_id)  # fmt: skip
    session.add(paper)
    session.flush()
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='healthcode.paper_issued',
                 target=f'person:{person.id}', detail=f'paper:{paper.id}')  # fmt: skip
    assert paper.id is not None
    return PaperCodePublic(id=paper.id, person_id=person.id, masked_name=mask_name(person.real_name), token=token,
                           issued_at=now, expires_at=paper.expires_at, revoked=False)  # fmt: skip


def revoke_paper_code(session: Session, *, actor: Actor, paper_id: int) -> None:
    """Revoke a paper code (lost, or replaced): it stops passing at once."""
    paper = session.get(PaperCode, paper_id)
    if paper is None:
        raise NotFound(N_('No such paper code.'))
    person_for(session, actor, paper.person_id)
    if paper.revoked_at is not None:
        raise DomainError(N_('This paper code is revoked already.'))
    paper.revoked_at = utcnow()
    session.add(paper)
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='healthcode.paper_revoked',
                 target=f'person:{paper.person_id}', detail=f'paper:{paper.id}')  # fmt: skip


def paper_codes(session: Session, *, actor: Actor, person_id: int) -> list[PaperCodePublic]:
    """The paper codes of one person (newest first), without their tokens."""
    person = person_for(session, actor, person_id)
    rows = session.exec(select(PaperCode).where(PaperCode.person_id == person.id).order_by(col(PaperCode.id).desc()))
    return [PaperCodePublic(id=r.id or 0, person_id=r.person_id, masked_name=mask_name(person.real_name),
                            issued_at=r.issued_at, expires_at=r.expires_at, revoked=r.revoked_at is not None)
            for r in rows]  # fmt: skip


def check_paper(session: Session, *, nonce: str) -> None:
    """Refuse a paper code that was revoked or is unknown."""
    paper = session.exec(select(PaperCode).where(PaperCode.nonce == nonce)).first()
    if paper is None:
        raise DomainError(N_('Unknown paper code.'))
    if paper.revoked_at is not None:
        raise DomainError(N_('This paper code was revoked.'))


def summary(session: Session, *, actor: Actor) -> tuple[str, str] | None:
    """(colour, subject id) of the signed-in resident, for Home; None before the profile exists."""
    if actor.person_id is None:
        return None
    person = person_for(session, actor, actor.person_id)
    return assess(session, person_id=actor.person_id).colour, person.subject_id
