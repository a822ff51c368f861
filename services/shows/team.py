"""Who runs a show: its owner (the organizer who created it) and the co-organizers the owner or an admin added.

Only they (and admins) change the show: every editing service loads it through common.load_editable, and the
organizer's console lists only their shows (my_shows).
"""

from sqlmodel import Session, col, or_, select

from models.accounts import Account, Role
from models.shows import Show, ShowOrganizer, ShowPublic, ShowTeamMemberPublic, ShowTeamPublic
from services import audit
from services.access import Actor
from services.errors import N_, DomainError, Forbidden
from services.shows import common
from services.validation import clean_line

MAX_CO_ORGANIZERS = 20


def _may_manage(actor: Actor, show: Show) -> bool:
    return actor.role is Role.admin or show.created_by == actor.account_id


def team(session: Session, *, actor: Actor, show_id: int) -> ShowTeamPublic:
    """The owner and co-organizers of a show, for one of them (or an admin)."""
    show = common.load_editable(session, actor, show_id, lock=False)
    members: list[ShowTeamMemberPublic] = []
    owner = session.get(Account, show.created_by) if show.created_by is not None else None
    if owner is not None and owner.id is not None:
        members.append(ShowTeamMemberPublic(account_id=owner.id, username=owner.username or '',
                                            display_name=owner.display_name, owner=True))  # fmt: skip
    rows = session.exec(
        select(Account).join(ShowOrganizer, col(ShowOrganizer.account_id) == col(Account.id))
        .where(ShowOrganizer.show_id == show_id).order_by(col(ShowOrganizer.id))
    )  # fmt: skip
    for account in rows:
        assert account.id is not None
        members.append(ShowTeamMemberPublic(account_id=account.id, username=account.username or '',
                                            display_name=account.display_name, owner=False))  # fmt: skip
    return ShowTeamPublic(members=members, can_manage=_may_manage(actor, show))


def add_organizer(session: Session, *, actor: Actor, show_id: int, username: str) -> ShowTeamPublic:
    """The owner or an admin gives the show to another organizer (by username) as a co-organizer."""
    show = common.load_editable(session, actor, show_id)
    if not _may_manage(actor, show):
        raise Forbidden(N_('Only the owner of this performance or an admin may change who runs it.'))
    name = clean_line(username, field=N_('Username'), max_length=40)
    account = session.exec(select(Account).where(Account.username == name)).first()
    if account is None or not account.active or account.role is not Role.organizer:
        raise DomainError(N_('There is no active organizer account named {username}.'), username=name)
    given = select(ShowOrganizer.id).where(ShowOrganizer.show_id == show_id, ShowOrganizer.account_id == account.id)
    if account.id != show.created_by and session.exec(given).first() is None:
        count = len(session.exec(select(ShowOrganizer.id).where(ShowOrganizer.show_id == show_id)).all())
        if count >= MAX_CO_ORGANIZERS:
            raise DomainError(N_('At most {limit} co-organizers per performance.'), limit=MAX_CO_ORGANIZERS)
        assert account.id is not None
        session.add(ShowOrganizer(show_id=show_id, account_id=account.id, added_by=actor.account_id))
        audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='show.organizer_added',
                     target=f'show:{show_id}', detail=f'account:{account.id}')  # fmt: skip
        session.flush()
    return team(session, actor=actor, show_id=show_id)


def remove_organizer(session: Session, *, actor: Actor, show_id: int, account_id: int) -> ShowTeamPublic:
    """The owner or an admin takes a co-organizer off the show (the owner stays)."""
    show = common.load_editable(session, actor, show_id)
    if not _may_manage(actor, show):
        raise Forbidden(N_('Only the owner of this performance or an admin may change who runs it.'))
    for row in session.exec(
        select(ShowOrganizer).where(ShowOrganizer.show_id == show_id, ShowOrganizer.account_id == account_id)
    ):
        session.delete(row)
        audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='show.organizer_removed',
                     target=f'show:{show_id}', detail=f'account:{account_id}')  # fmt: skip
    session.flush()
    return team(session, actor=actor, show_id=show_id)


def my_shows(session: Session, *, actor: Actor, limit: int = 200) -> list[ShowPublic]:
    """The shows this organizer runs (owned or given), newest start first; an admin's console lists every show."""
    who = common.require_organizer(actor)
    query = select(Show)
    if who.role is not Role.admin:
        given = select(ShowOrganizer.show_id).where(ShowOrganizer.account_id == who.account_id)
        query = query.where(or_(col(Show.created_by) == who.account_id, col(Show.id).in_(given)))
    rows = session.exec(query.order_by(col(Show.starts_at).desc()).limit(limit))
    return [common.to_public(session, r) for r in rows]


def editable_show(session: Session, *, actor: Actor, show_id: int) -> ShowPublic:
    """A show for its console page: refused unless the actor runs it."""
    return common.to_public(session, common.load_editable(session, actor, show_id, lock=False))
