"""The live cheer and comment stream of a show: length- and rate-limited per resident, hidden by organizers."""

from datetime import timedelta

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from models.accounts import Account
from models.common import utcnow
from models.shows import ShowComment, ShowCommentPublic, ShowState
from services import audit, db, idempotency
from services.access import Actor
from services.errors import N_, DomainError, NotFound
from services.events import bus
from services.shows import common
from services.shows.events import SHOW_COMMENT, CommentChanged
from services.validation import clean_line, strip_bidi

MAX_LENGTH = 140
MIN_INTERVAL_S = 3.0  # one comment every 3 seconds per resident
PER_MINUTE = 10  # and at most 10 a minute
OPEN_STATES = (
    ShowState.scheduled,
    ShowState.starting_soon,
    ShowState.live,
    ShowState.postponed,
    ShowState.ended,
    ShowState.replay,
)
CHEERS = ('👏', '❤️', '🎉', '好!', 'Bravo!')


def post_comment(session: Session, *, actor: Actor, show_id: int, text: str, key: str | None = None
                 ) -> ShowCommentPublic:  # fmt: skip
    """A resident cheers or comments; every open watch page shows it at once (the same `key` posts only once)."""
    db.write_gate(session)  # first thing, before this unit of work touches the database
    return idempotency.once(session, actor=actor, action='shows.comment', key=key,
                            run=lambda: _post(session, actor, show_id, text), result=ShowCommentPublic)  # fmt: skip


def _post(session: Session, actor: Actor, show_id: int, text: str) -> ShowCommentPublic:
    show = common.load(session, show_id)
    if show.state not in OPEN_STATES:
        raise DomainError(N_('Comments are closed for this performance.'))
    body = clean_line(text, field=N_('Comment'), max_length=MAX_LENGTH)
    if session.get_bind().dialect.name == 'postgresql':  # SQLite writers are serialized already
        session.get(Account, actor.account_id, with_for_update=True)  # one resident's comments queue up
    now = utcnow()
    minute_ago = now - timedelta(minutes=1)
    last, recent = session.exec(
        select(func.max(ShowComment.created_at), func.count(case((col(ShowComment.created_at) > minute_ago, 1)))).where(
            ShowComment.account_id == actor.account_id, col(ShowComment.created_at) > now - timedelta(hours=1)
        )
    ).one()
    if last is not None and (now - last).total_seconds() < MIN_INTERVAL_S:
        raise DomainError(N_('You are commenting too fast. Please wait a few seconds.'))
    if recent >= PER_MINUTE:
        raise DomainError(N_('At most {limit} comments a minute. Please wait a little.'), limit=PER_MINUTE)
    row = ShowComment(
        show_id=show_id, account_id=actor.account_id, author=strip_bidi(actor.label)[:40], text=body, created_at=now
    )
    session.add(row)
    session.flush()
    public = ShowCommentPublic.model_validate(row)
    bus.stage(session, SHOW_COMMENT, CommentChanged(action='posted', comment=public), key=show_id)
    return public


def hide_comment(session: Session, *, actor: Actor, comment_id: int) -> ShowCommentPublic:
    """An organizer of the show hides a comment: it disappears from every open page and is never shown again."""
    common.require_organizer(actor)
    row = session.get(ShowComment, comment_id, with_for_update=True)
    if row is None:
        raise NotFound(N_('No such comment.'))
    common.load_editable(session, actor, row.show_id, lock=False)
    if not row.hidden:
        row.hidden, row.hidden_by, row.hidden_at = True, actor.account_id, utcnow()
        session.add(row)
        audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='show.comment_hidden',
                     target=f'show:{row.show_id}', detail=f'comment:{row.id}')  # fmt: skip
        session.flush()
        hidden = CommentChanged(action='hidden', comment=ShowCommentPublic.model_validate(row))
        bus.stage(session, SHOW_COMMENT, hidden, key=row.show_id)
    return ShowCommentPublic.model_validate(row)


def recent_comments(
    session: Session, *, show_id: int, limit: int = 30, include_hidden: bool = False
) -> list[ShowCommentPublic]:
    """The newest comments of a show, oldest first (hidden ones only for organizers' moderation)."""
    query = select(ShowComment).where(ShowComment.show_id == show_id)
    if not include_hidden:
        query = query.where(col(ShowComment.hidden).is_(False))
    rows = session.exec(query.order_by(col(ShowComment.created_at).desc(), col(ShowComment.id).desc()).limit(limit))
    return [ShowCommentPublic.model_validate(r) for r in reversed(list(rows))]
