"""Pharmacists belong to their stores: an admin assigns them; they check and hand over passes only there."""

from sqlalchemy import Table, delete, select
from sqlmodel import Session

from models.accounts import Account, Role
from models.reservations import ResStorePublic, ResStoreStaff, StaffPublic
from services import audit
from services.access import Actor, require_role
from services.errors import N_, DomainError, Forbidden, NotFound
from services.reservations.common import STORE, upsert

STAFF: Table = ResStoreStaff.__table__  # type: ignore[attr-defined]
ACCOUNT: Table = Account.__table__  # type: ignore[attr-defined]


def store_ids(session: Session, *, account_id: int) -> list[int]:
    """The stores an account works at."""
    rows = session.execute(select(STAFF.c.store_id).where(STAFF.c.account_id == account_id).order_by(STAFF.c.store_id))
    return [int(store_id) for store_id in rows.scalars()]


def my_stores(session: Session, *, actor: Actor) -> list[ResStorePublic]:
    """The stores the pharmacist works at (the counter's chooser shows only these; an admin's: every store)."""
    require_role(actor, Role.pharmacist)
    query = select(STORE).order_by(STORE.c.district, STORE.c.id)
    if actor.role is not Role.admin:
        query = query.join(STAFF, STAFF.c.store_id == STORE.c.id).where(STAFF.c.account_id == actor.account_id)
    return [ResStorePublic.model_validate(dict(row._mapping)) for row in session.execute(query)]


def require_store(session: Session, *, actor: Actor, store_id: int) -> None:
    """Refuse a pharmacist acting at a store they do not work at (whatever the page sent); admins act anywhere."""
    if require_role(actor, Role.pharmacist).role is Role.admin:
        return
    found = session.execute(
        select(STAFF.c.store_id).where(STAFF.c.account_id == actor.account_id, STAFF.c.store_id == store_id)
    ).first()
    if found is None:
        raise Forbidden(N_('You do not work at this store: passes are handed over only at your own store.'))


def pharmacists(session: Session, *, actor: Actor) -> list[StaffPublic]:
    """Every pharmacist account with the stores it works at (for the admin page)."""
    require_role(actor, Role.admin)
    accounts = session.execute(
        select(ACCOUNT.c.id, ACCOUNT.c.display_name, ACCOUNT.c.username, ACCOUNT.c.active)
        .where(ACCOUNT.c.role == Role.pharmacist)
        .order_by(ACCOUNT.c.id)
    ).all()
    assigned: dict[int, list[int]] = {}
    for account_id, store_id in session.execute(
        select(STAFF.c.account_id, STAFF.c.store_id).order_by(STAFF.c.store_id)
    ):
        assigned.setdefault(int(account_id), []).append(int(store_id))
    return [
        StaffPublic(
            account_id=a.id,
            label=a.display_name or a.username or f'#{a.id}',
            active=a.active,
            store_ids=assigned.get(a.id, []),
        )  # fmt: skip
        for a in accounts
    ]


def _check(session: Session, *, account_id: int, store_id: int) -> None:
    role = session.execute(select(ACCOUNT.c.role).where(ACCOUNT.c.id == account_id)).scalar_one_or_none()
    if role is None:
        raise NotFound(N_('No such account.'))
    if role != Role.pharmacist:
        raise DomainError(N_('Only pharmacist accounts work at a store.'))
    if session.execute(select(STORE.c.id).where(STORE.c.id == store_id)).first() is None:
        raise NotFound(N_('No such store.'))


def assign(session: Session, *, actor: Actor, account_id: int, store_id: int) -> list[int]:
    """An admin lets a pharmacist work at a store (again: nothing changes); returns the account's stores."""
    require_role(actor, Role.admin)
    _check(session, account_id=account_id, store_id=store_id)
    session.execute(upsert(session)(STAFF).values(account_id=account_id, store_id=store_id).on_conflict_do_nothing())
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='store.staff_added',
                 target=f'account:{account_id}', detail=f'store:{store_id}')  # fmt: skip
    return store_ids(session, account_id=account_id)


def unassign(session: Session, *, actor: Actor, account_id: int, store_id: int) -> list[int]:
    """An admin takes a pharmacist off a store; returns the account's stores."""
    require_role(actor, Role.admin)
    session.execute(delete(STAFF).where(STAFF.c.account_id == account_id, STAFF.c.store_id == store_id))
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='store.staff_removed',
                 target=f'account:{account_id}', detail=f'store:{store_id}')  # fmt: skip
    return store_ids(session, account_id=account_id)
