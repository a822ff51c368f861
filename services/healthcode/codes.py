"""Issuing codes: the live code (60 s), the short code for manual entry, the paper code (30 days, revocable)."""

import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from models.accounts import Person
from models.common import utcnow
from models.healthcode import Checkpoint, PaperCode, PaperCodePublic, ShortCode
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
PAPER_SHORT_LENGTH = 10  # a paper code's own code to type: its 48-bit nonce in SHORT_ALPHABET (live ones are 8)
SHORT_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'  # no 0/O, 1/I/L
KNOWN_PLACES = {'fever clinic': ('发热门诊', 'fever clinic')}  # places the services write in one language
TWO_LANGUAGES = re.compile(r'([^\x00-\x7f][^\x00-\x7f ]*)\s+([\x00-\x7f]+)')  # '济南站 Jinan Railway Station'


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
    place_zh: str = ''  # the place in each language (a checkpoint's own names), else both are `place`
    place_en: str = ''


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


def place_names(place: str, checkpoints: dict[str, tuple[str, str]] | None = None) -> tuple[str, str]:
    """(zh, en) of a record's place: a checkpoint's names (a reading there stores 'name_zh name_en'), a place the
    services name, or a 'zh en' pair; anything else is the same in both languages."""
    if checkpoints and place in checkpoints:
        return checkpoints[place]
    if place in KNOWN_PLACES:
        return KNOWN_PLACES[place]
    pair = TWO_LANGUAGES.fullmatch(place.strip())
    return (pair.group(1), pair.group(2)) if pair else (place, place)


def checkpoint_places(session: Session) -> dict[str, tuple[str, str]]:
    """The place text a reading at each checkpoint stores, with the checkpoint's (zh, en) names."""
    rows = session.exec(select(Checkpoint.name_zh, Checkpoint.name_en)).all()
    return {f'{zh} {en}'[:80]: (zh, en) for zh, en in rows}


def explain(reason: Reason, checkpoints: dict[str, tuple[str, str]] | None = None) -> Explanation:
    """A rule-engine reason with the rule's published texts (and the place in both languages)."""
    rule = rulebook().rules[reason.rule_id]
    record = reason.record
    place_zh, place_en = place_names(record.place, checkpoints)
    return Explanation(rule_id=rule.id, colour=reason.colour, text_en=rule.text_en, text_zh=rule.text_zh,
                       ends_en=rule.ends_en, ends_zh=rule.ends_zh, record_kind=record.kind, record_value=record.value,
                       record_at=record.at, place=record.place, note=record.note, until=reason.until,
                       needs_test=reason.needs_test, place_zh=place_zh, place_en=place_en)  # fmt: skip


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
    places = checkpoint_places(session) if any(r.record.place for r in assessment.reasons) else {}
    now = utcnow()
    return LiveCode(person_id=person.id, masked_name=mask_name(person.real_name), relation=person.relation,
                    colour=assessment.colour, token=token, issued_at=now,
                    expires_at=now + timedelta(seconds=CODE_TTL_S),
                    reasons=[explain(r, places) for r in assessment.reasons],
                    rules_version=rulebook().version)  # fmt: skip


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
    cleaned = clean_short_code(code)
    if not cleaned or len(cleaned) > 10 or not set(cleaned) <= set(SHORT_ALPHABET):
        raise DomainError(N_('This is not a Spring City Cloud code.'))
    row = session.get(ShortCode, cleaned)
    if row is None or row.expires_at < utcnow():
        raise DomainError(N_('Unknown or expired short code: ask for a new one.'))
    person = session.get(Person, row.person_id)
    if person is None:
        raise NotFound(N_('No such person.'))
    return person


def paper_short_code(nonce: str) -> str:
    """The code printed under a paper code's QR, to type when the QR does not scan: its nonce, in SHORT_ALPHABET."""
    number, digits = int(nonce, 16), []
    for _ in range(PAPER_SHORT_LENGTH):
        number, digit = divmod(number, len(SHORT_ALPHABET))
        digits.append(SHORT_ALPHABET[digit])
    return ''.join(reversed(digits))


def clean_short_code(code: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes."""
    return code.strip().upper().replace(' ', '').replace('-', '')


def paper_for_short_code(session: Session, *, code: str) -> PaperCode:
    """The paper code whose printed code is `code`, if valid: not revoked, not expired."""
    cleaned = clean_short_code(code)
    if len(cleaned) != PAPER_SHORT_LENGTH or not set(cleaned) <= set(SHORT_ALPHABET):
        raise DomainError(N_('This is not a Spring City Cloud code.'))
    number = 0
    for char in cleaned:
        number = number * len(SHORT_ALPHABET) + SHORT_ALPHABET.index(char)
    paper = (
        session.exec(select(PaperCode).where(PaperCode.nonce == f'{number:012x}')).first() if number < 1 << 48 else None
    )
    if paper is None:
        raise DomainError(N_('Unknown paper code.'))
    check_paper(session, nonce=paper.nonce)
    if paper.expires_at < utcnow():
        raise DomainError(N_('This paper code has expired: issue a new one.'))
    return paper


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
                           short_code=paper_short_code(nonce), issued_at=now, expires_at=paper.expires_at,
                           revoked=False)  # fmt: skip


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
