"""Residents' profiles and the family members they manage."""

from sqlmodel import Session, col, select

from models.accounts import Account, Person, PersonPublic, Role
from services import audit
from services.access import Actor, person_for, require_role
from services.city import current_city
from services.errors import N_, DomainError, NotFound
from services.idcard import birth_date_of, mask_id_number, normalize_id_number
from services.validation import clean_text, mask_name, normalize_name

MAX_FAMILY = 6


def to_public(person: Person) -> PersonPublic:
    """A person as screens may show them: masked ID number."""
    assert person.id is not None
    return PersonPublic(id=person.id, real_name=person.real_name, district=person.district,
                        masked_id_number=mask_id_number(person.id_number), masked_name=mask_name(person.real_name),
                        subject_id=person.subject_id, relation=person.relation)  # fmt: skip


def _new_person(session: Session, *, real_name: str, id_number: str, district: str) -> Person:
    name = normalize_name(real_name)
    number = normalize_id_number(id_number)
    current_city().district(district)
    if session.exec(select(Person).where(Person.id_number == number)).first() is not None:
        raise DomainError(N_('This ID number is already registered; please contact the city service desk.'))
    birth = birth_date_of(number)
    assert birth is not None
    return Person(real_name=name, id_number=number, district=district, birth_date=birth)


def complete_profile(session: Session, *, actor: Actor, real_name: str, id_number: str, district: str) -> PersonPublic:
    """A resident's first sign-in: real name, ID number and district, once."""
    require_role(actor, Role.resident)
    account = session.get(Account, actor.account_id)
    assert account is not None
    # Ask the database, not the actor: a second tab or a double click may carry an actor from before the profile.
    existing = session.exec(select(Person.id).where(Person.account_id == account.id)).first()
    if actor.person_id is not None or existing is not None:
        raise DomainError(N_('Your profile is complete already.'))
    person = _new_person(session, real_name=real_name, id_number=id_number, district=district)
    person.account_id = account.id
    session.add(person)
    session.flush()
    account.display_name = mask_name(person.real_name)
    session.add(account)
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='profile.completed',
                 target=f'person:{person.id}')  # fmt: skip
    return to_public(person)


def my_person(session: Session, *, actor: Actor) -> PersonPublic | None:
    """The resident's own profile, or None before it is completed."""
    if actor.person_id is None:
        return None
    person = session.get(Person, actor.person_id)
    return to_public(person) if person else None


def update_district(session: Session, *, actor: Actor, district: str) -> PersonPublic:
    """A resident moves to another district."""
    if actor.person_id is None:
        raise DomainError(N_('Please complete your profile first.'))
    current_city().district(district)
    person = session.get(Person, actor.person_id)
    assert person is not None
    person.district = district
    session.add(person)
    return to_public(person)


def add_family_member(session: Session, *, actor: Actor, real_name: str, id_number: str, district: str,
                      relation: str) -> PersonPublic:  # fmt: skip
    """A resident adds a family member they manage (an elderly parent without a smartphone)."""
    require_role(actor, Role.resident)
    if actor.person_id is None:
        raise DomainError(N_('Please complete your profile first.'))
    relation = clean_text(relation, field=N_('Relation'), max_length=20)
    count = len(session.exec(select(Person.id).where(Person.managed_by_account_id == actor.account_id)).all())
    if count >= MAX_FAMILY:
        raise DomainError(N_('You can manage at most {limit} family members.'), limit=MAX_FAMILY)
    person = _new_person(session, real_name=real_name, id_number=id_number, district=district)
    person.managed_by_account_id = actor.account_id
    person.relation = relation
    session.add(person)
    session.flush()
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='family.added',
                 target=f'person:{person.id}')  # fmt: skip
    return to_public(person)


def remove_family_member(session: Session, *, actor: Actor, person_id: int) -> PersonPublic:
    """Stop managing a family member (their records stay, the link goes); returns who was removed."""
    person = person_for(session, actor, person_id)
    if person.id == actor.person_id:
        raise DomainError(N_('You cannot remove yourself.'))
    person.managed_by_account_id = None
    session.add(person)
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='family.removed',
                 target=f'person:{person.id}')  # fmt: skip
    return to_public(person)


def family(session: Session, *, actor: Actor) -> list[PersonPublic]:
    """The family members `actor` manages."""
    rows = session.exec(select(Person).where(Person.managed_by_account_id == actor.account_id).order_by(col(Person.id)))
    return [to_public(p) for p in rows]


def household(session: Session, *, actor: Actor) -> list[PersonPublic]:
    """The resident first, then the family members they manage."""
    me = my_person(session, actor=actor)
    return ([me] if me else []) + family(session, actor=actor)


def staff_view_person(session: Session, *, actor: Actor, person_id: int, purpose: str) -> PersonPublic:
    """Staff read another person's data: allowed for staff roles, and always written to the audit log."""
    if not actor.is_staff:
        raise DomainError(N_('Your role does not allow this page or action.'))
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(N_('No such person.'))
    audit.record(session, actor_id=actor.account_id, actor_label=actor.label, action='person.read',
                 target=f'person:{person.id}', detail=purpose)  # fmt: skip
    return to_public(person)
