"""Shared by the show services: loading a show, the change history, the public view, venue time."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from models.accounts import Role
from models.common import utcnow
from models.shows import (
    Show,
    ShowChange,
    ShowChangePublic,
    ShowLink,
    ShowLinkPublic,
    ShowOrganizer,
    ShowPublic,
    ShowState,
)
from services import audit
from services.access import Actor, require_role
from services.city import current_city
from services.errors import N_, Forbidden, NotFound
from services.events import bus
from services.shows.events import SHOW_CHANGED, ShowChanged
from services.validation import strip_bidi

SOON_MINUTES = 10
ORGANIZERS = (Role.organizer,)  # admins may do what organizers do (services.access.require_role)


def require_organizer(actor: Actor | None) -> Actor:
    """Refuse unless the actor runs shows (organizer or admin)."""
    return require_role(actor, *ORGANIZERS)


def load(session: Session, show_id: int, *, lock: bool = False) -> Show:
    """The show with `show_id`, or a NotFound refusal."""
    show = session.get(Show, show_id, with_for_update=lock)
    if show is None:
        raise NotFound(N_('No such performance.'))
    return show


def may_edit(session: Session, actor: Actor, show: Show) -> bool:
    """Whether `actor` runs this show: an admin, its owner (who created it) or a co-organizer given it."""
    if actor.role is Role.admin:
        return True
    if actor.role not in ORGANIZERS:
        return False
    if show.created_by == actor.account_id:
        return True
    given = select(ShowOrganizer.id).where(
        ShowOrganizer.show_id == show.id, ShowOrganizer.account_id == actor.account_id
    )
    return session.exec(given).first() is not None


def load_editable(session: Session, actor: Actor | None, show_id: int, *, lock: bool = True) -> Show:
    """The show with `show_id` if `actor` runs it (every editing service starts here), else a refusal."""
    who = require_organizer(actor)
    show = load(session, show_id, lock=lock)
    if not may_edit(session, who, show):
        raise Forbidden(N_('Only the organizers of this performance may change it.'))
    return show


def links_of(session: Session, show_id: int) -> list[ShowLinkPublic]:
    """The platform links of a show, in the organizer's order."""
    rows = session.exec(
        select(ShowLink).where(ShowLink.show_id == show_id).order_by(col(ShowLink.position), col(ShowLink.id))
    )
    return [ShowLinkPublic(name=r.name, url=r.url) for r in rows]


def to_public(session: Session, show: Show) -> ShowPublic:
    """What every page may show about a show (with its platform links)."""
    assert show.id is not None
    data = show.model_dump()
    data['links'] = links_of(session, show.id)
    return ShowPublic.model_validate(data)


def record(
    session: Session,
    show: Show,
    *,
    actor: Actor | None,
    action: str,
    from_state: ShowState | None = None,
    old_starts_at: datetime | None = None,
    detail: str = '',
) -> None:
    """Write the history entry and the audit entry for a change, bump the version, publish after commit."""
    assert show.id is not None
    now = utcnow()
    show.version += 1
    show.updated_at = now
    session.add(show)
    label = strip_bidi(actor.label) if actor else 'system'
    session.add(
        ShowChange(
            show_id=show.id,
            at=now,
            actor_account_id=actor.account_id if actor else None,
            actor_label=label[:80],
            action=action,
            from_state=from_state.value if from_state else '',
            to_state=show.state.value,
            old_starts_at=old_starts_at,
            new_starts_at=show.starts_at if old_starts_at is not None else None,
            detail=detail[:300],
        )
    )
    audit.record(
        session,
        actor_id=actor.account_id if actor else None,
        actor_label=label,
        action=f'show.{action}',
        target=f'show:{show.id}',
        detail=detail,
    )
    session.flush()
    bus.stage(session, SHOW_CHANGED, ShowChanged(action=action, show=to_public(session, show)), key=show.id)


def history(session: Session, *, show_id: int, limit: int = 100) -> list[ShowChangePublic]:
    """Every recorded change of a show, newest first (who, when, from which state to which, old and new time)."""
    rows = session.exec(
        select(ShowChange)
        .where(ShowChange.show_id == show_id)
        .order_by(col(ShowChange.at).desc(), col(ShowChange.id).desc())
        .limit(limit)
    )
    return [ShowChangePublic.model_validate(r) for r in rows]


def city_timezone() -> str:
    """The time zone of the city's venues (a new show gets it; times are typed and shown in it)."""
    return current_city().timezone


def venue_time(moment: datetime, tz: str | None = None) -> datetime:
    """An aware datetime in the venue's time zone (`tz`, a show's own; by default the city's)."""
    return moment.astimezone(ZoneInfo(tz or city_timezone()))
