"""The audit log: who did what to whom, and when."""

import unicodedata

from sqlmodel import Session, col, select

from models.accounts import AuditEntry


def record(
    session: Session, *, actor_id: int | None, actor_label: str, action: str, target: str = '', detail: str = ''
) -> None:
    """Add an entry in the caller's transaction, so it is written exactly when the change is."""
    session.add(AuditEntry(actor_account_id=actor_id, actor_label=_printable(actor_label)[:80], action=action,
                           target=_printable(target)[:120], detail=_printable(detail)[:500]))  # fmt: skip


def _printable(text: str) -> str:
    # Logged text may come from what someone typed: control characters (NUL breaks PostgreSQL) become U+FFFD.
    return ''.join('\ufffd' if unicodedata.category(c) == 'Cc' and c not in '\t\n' else c for c in text)


def recent(session: Session, *, limit: int = 200, action: str | None = None, offset: int = 0) -> list[AuditEntry]:
    """Newest entries first, optionally of one action."""
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query))
