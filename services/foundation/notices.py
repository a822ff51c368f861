"""City announcements: posted by admins in both languages, pushed live to every resident Home."""

from sqlmodel import Session, col, select

from models.accounts import Role
from models.notices import Notice, NoticeCreate, NoticePublic
from services import audit, idempotency
from services.access import Actor, require_role
from services.errors import N_
from services.events import bus
from services.foundation.events import NOTICE_POSTED, NoticePosted
from services.validation import clean_text


def post_notice(session: Session, *, actor: Actor, notice: NoticeCreate, key: str | None = None) -> NoticePublic:
    """An admin posts an announcement (once per idempotency key); every open resident Home shows it at once."""
    require_role(actor, Role.admin)
    return idempotency.once(session, actor=actor, action='notices.post', key=key, result=NoticePublic,
                            run=lambda: _post(session, actor=actor, notice=notice))  # fmt: skip


def _post(session: Session, *, actor: Actor, notice: NoticeCreate) -> NoticePublic:
    row = Notice(
        title_zh=clean_text(notice.title_zh, field=N_('Title (Chinese)'), max_length=120),
        title_en=clean_text(notice.title_en, field=N_('Title (English)'), max_length=120),
        body_zh=clean_text(notice.body_zh, field=N_('Text (Chinese)'), max_length=2000),
        body_en=clean_text(notice.body_en, field=N_('Text (English)'), max_length=2000),
        urgent=notice.urgent,
        author_account_id=actor.account_id,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='notice.posted',
                 target=f'notice:{row.id}')  # fmt: skip
    public = NoticePublic.model_validate(row)
    bus.stage(session, NOTICE_POSTED, NoticePosted(notice=public))
    return public


def latest(session: Session, *, limit: int = 5, offset: int = 0) -> list[NoticePublic]:
    """Newest announcements first."""
    rows = session.exec(select(Notice).order_by(col(Notice.created_at).desc(), col(Notice.id).desc())
                        .offset(offset).limit(limit))  # fmt: skip
    return [NoticePublic.model_validate(r) for r in rows]
