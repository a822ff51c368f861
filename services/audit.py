"""The audit log: who did what to whom, and when.

Conventions, so that the log can be searched: `action` is the kind ('<module>.<what>', e.g. 'person.read',
'checkpoint.verify'); `target` is whom it concerns as '<kind>:<id>' ('person:12', never an ID number or a
phone); a second subject, if any, starts `detail` ('person:12 …').
"""

import unicodedata
from collections.abc import Iterable

from sqlalchemy import insert
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from models.accounts import AuditEntry
from models.common import utcnow


def record(
    session: Session, *, actor_id: int | None, actor_label: str, action: str, target: str = '', detail: str = ''
) -> None:
    """Add an entry in the caller's transaction, so it is written exactly when the change is."""
    session.add(AuditEntry(actor_account_id=actor_id, actor_label=_printable(actor_label)[:80], action=action,
                           target=_printable(target)[:120], detail=_printable(detail)[:500]))  # fmt: skip


def record_many(session: Session, *, actor_id: int | None, actor_label: str, action: str, targets: Iterable[str],
                detail: str = '') -> int:  # fmt: skip
    """One entry per target (e.g. each person of a look-up), in one statement, in the caller's transaction."""
    now, label, text = utcnow(), _printable(actor_label)[:80], _printable(detail)[:500]
    rows = [{'at': now, 'actor_account_id': actor_id, 'actor_label': label, 'action': action,
             'target': _printable(target)[:120], 'detail': text} for target in targets]  # fmt: skip
    if rows:
        session.execute(insert(AuditEntry), rows)
    return len(rows)


def _printable(text: str) -> str:
    # Logged text may come from what someone typed: control characters (NUL breaks PostgreSQL) become U+FFFD.
    return ''.join('\ufffd' if unicodedata.category(c) == 'Cc' and c not in '\t\n' else c for c in text)


def recent(session: Session, *, limit: int = 200, action: str | None = None, offset: int = 0) -> list[AuditEntry]:
    """Newest entries first, optionally of one action."""
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    return _page(query, session, limit=limit, offset=offset)


def search(session: Session, *, actor: str = '', subject: str = '', kind: str = '', limit: int = 200,
           offset: int = 0) -> list[AuditEntry]:  # fmt: skip
    """Newest entries first, filtered by who (actor), whom (subject) and what (kind); empty filters match all.

    actor: an account id ('7' or '#7') or the actor's label as shown (case-insensitive, exact);
    subject: 'person:12' (a bare number means a person) — the entry's target, or the first word of its detail;
    kind: an action ('checkpoint.verify') or a module prefix ('healthcode' matches 'healthcode.changed')."""
    return _page(filtered(select(AuditEntry), actor=actor, subject=subject, kind=kind), session, limit=limit,
                 offset=offset)  # fmt: skip


def filtered(query: SelectOfScalar[AuditEntry], *, actor: str = '', subject: str = '',
             kind: str = '') -> SelectOfScalar[AuditEntry]:  # fmt: skip
    """`query` narrowed by the filters of `search` (for callers that count or page themselves)."""
    actor, subject, kind = actor.strip(), subject_key(subject), kind.strip()
    if actor:
        number = actor.removeprefix('#')
        if number.isdigit():
            query = query.where(AuditEntry.actor_account_id == int(number))
        else:
            query = query.where(col(AuditEntry.actor_label).ilike(_escaped(actor), escape='\\'))
    if subject:
        pattern = _escaped(subject) + ' %'
        query = query.where(or_(AuditEntry.target == subject, AuditEntry.detail == subject,
                                col(AuditEntry.target).like(pattern, escape='\\'),
                                col(AuditEntry.detail).like(pattern, escape='\\')))  # fmt: skip
    if kind:
        prefix = _escaped(kind.rstrip('.')) + '.%'
        query = query.where(or_(AuditEntry.action == kind, col(AuditEntry.action).like(prefix, escape='\\')))
    return query


def subject_key(text: str) -> str:
    """What the subject filter compares: 'person:12' as typed, and a bare number as the person with that id."""
    text = text.strip()
    return f'person:{int(text)}' if text.isdigit() else text


def kinds(session: Session) -> list[str]:
    """Every action the log holds, alphabetically (for the kind filter's choices)."""
    return sorted(session.exec(select(AuditEntry.action).distinct()))


def _escaped(text: str) -> str:
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def _page(query: SelectOfScalar[AuditEntry], session: Session, *, limit: int, offset: int) -> list[AuditEntry]:
    query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).offset(max(offset, 0)).limit(limit)
    return list(session.exec(query))
