"""Who is acting, and what their role lets them see."""

from dataclasses import dataclass

from sqlmodel import Session, select

from models.accounts import Account, Person, Role
from services.errors import N_, Forbidden, NotFound


@dataclass(frozen=True)
class Actor:
    """The signed-in account as services need it (no ORM object crosses into views)."""

    account_id: int
    role: Role
    label: str
    person_id: int | None = None
    language: str = ''
    large_text: bool = False
    session_id: int | None = None  # the browser session this actor acts in (None: a job, a script, a test)

    @property
    def is_staff(self) -> bool:
        return self.role is not Role.resident


def load_actor(session: Session, account_id: int | None) -> Actor | None:
    """The active account with `account_id` as an Actor, or None (signed out, deactivated, unknown)."""
    if account_id is None:
        return None
    account = session.get(Account, account_id)
    if account is None or not account.active:
        return None
    person = session.exec(select(Person).where(Person.account_id == account.id)).first()
    label = account.display_name or account.username or account.phone or f'#{account.id}'
    assert account.id is not None
    return Actor(account_id=account.id, role=account.role, label=label, person_id=person.id if person else None,
                 language=account.language, large_text=account.large_text)  # fmt: skip


def require_role(actor: Actor | None, *roles: Role) -> Actor:
    """Refuse unless `actor` has one of `roles` (admins may do everything staff may)."""
    if actor is None:
        raise Forbidden(N_('Please sign in first.'))
    if actor.role in roles or (actor.role is Role.admin and any(r is not Role.resident for r in roles)):
        return actor
    raise Forbidden(N_('Your role does not allow this page or action.'))


def person_for(session: Session, actor: Actor, person_id: int) -> Person:
    """A person whose data `actor` may see as a resident: themselves or a family member they manage."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(N_('No such person.'))
    if person.id == actor.person_id or person.managed_by_account_id == actor.account_id:
        return person
    raise Forbidden(N_('You can only see your own data and that of family members you manage.'))
