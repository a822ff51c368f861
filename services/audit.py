"""The audit log: who did what to whom, and when."""

from sqlmodel import Session, col, select

from models.accounts import AuditEntry


def record(
    session: Session, *, actor_id: int | None, actor_label: str, action: str, target: str = '', detail: str = ''
) -> None:
    """Add an entry in the caller's transaction, so it is written exactly when the change is."""
    session.add(AuditEntry(actor_account_id=actor_id, actor_label=actor_label[:80], action=action,
                           target=target[:120], detail=detail[:500]))  # fmt: skip


def recent(session: Session, *, limit: int = 200, action: str | None = None, offset: int = 0) -> list[AuditEntry]:
    """Newest entries first, optionally of one action."""
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query))
