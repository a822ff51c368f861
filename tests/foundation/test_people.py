"""Residents' profiles and family members: who may see whom, what is refused, and what the audit log keeps."""

from datetime import date

import pytest
from sqlmodel import col, func, select

from models.accounts import Account, AuditEntry, Person, Role
from services import db
from services.access import Actor, load_actor, person_for
from services.errors import DomainError, Forbidden, NotFound
from services.foundation import people
from services.foundation.demo import DEMO_PASSWORD, demo_id_number
from tests.support.foundation import ask, staff_sign_in, verify

DISTRICT = '370102'


def number(birth: date, sequence: str = '555', district: str = DISTRICT) -> str:
    return demo_id_number(district, birth, sequence)


def resident(phone: str) -> Actor:
    with db.read_session() as session:
        account = session.exec(select(Account).where(Account.phone == phone)).one()
        actor = load_actor(session, account.id)
    assert actor is not None
    return actor


def new_resident() -> Actor:
    actor, error = verify(ask())
    assert error is None and actor is not None
    return actor


def person_count() -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(Person)).one()


def audit(action: str) -> list[AuditEntry]:
    with db.read_session() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))))


def complete(actor: Actor, **fields: str) -> people.PersonPublic:
    values = {'real_name': '赵敏', 'id_number': number(date(1992, 4, 5)), 'district': DISTRICT} | fields
    with db.session_scope() as session:
        return people.complete_profile(session, actor=actor, **values)


def add_member(actor: Actor, **fields: str) -> people.PersonPublic:
    values = {'real_name': '赵大山', 'id_number': number(date(1950, 1, 2)), 'district': DISTRICT,
              'relation': '父亲'} | fields  # fmt: skip
    with db.session_scope() as session:
        return people.add_family_member(session, actor=actor, **values)


def test_first_profile_is_stored_and_shown_masked() -> None:
    actor = new_resident()
    full = number(date(1992, 4, 5))
    public = complete(actor, id_number=full.lower())
    assert public.masked_id_number == full[:6] + '********' + full[-4:]
    assert full not in public.model_dump_json()
    with db.read_session() as session:
        stored = session.get(Person, public.id)
        assert stored is not None and stored.id_number == full and stored.birth_date == date(1992, 4, 5)
        account = session.get(Account, actor.account_id)
        assert account is not None and account.display_name == '赵*'
        again = load_actor(session, actor.account_id)
    assert again is not None and again.person_id == public.id
    assert [e.target for e in audit('profile.completed')] == [f'person:{public.id}']
    with db.read_session() as session:
        mine = people.my_person(session, actor=again)
    assert mine is not None and mine.masked_id_number == public.masked_id_number


def test_profile_is_completed_once_even_from_a_stale_page() -> None:
    actor = new_resident()  # signed in before the profile existed (a second tab, a double click)
    complete(actor)
    before = person_count()
    with pytest.raises(DomainError) as caught:
        complete(actor, id_number=number(date(1993, 5, 6)))
    assert caught.value.message == 'Your profile is complete already.'
    assert person_count() == before


@pytest.mark.parametrize(
    ('fields', 'message'),
    [
        (
            {'id_number': '370102199204051234'},
            'The last character does not match: please check the ID number for a typo.',
        ),
        ({'id_number': ''}, 'Please enter the ID number.'),
        ({'real_name': ''}, 'Please enter the real name.'),
        ({'real_name': '张3'}, 'A name can contain only letters, spaces and the middle dot (·).'),
        ({'real_name': '名' * 41}, 'A name can have at most {limit} characters.'),
        ({'district': '110105'}, 'Please choose a district of the city.'),
        ({'district': ''}, 'Please choose a district of the city.'),
    ],
)
def test_bad_profile_is_refused_and_nothing_is_written(fields: dict[str, str], message: str) -> None:
    actor = new_resident()
    before = person_count()
    with pytest.raises(DomainError) as caught:
        complete(actor, **fields)
    assert caught.value.message == message
    assert person_count() == before
    assert audit('profile.completed') == []


def test_an_id_number_belongs_to_one_person() -> None:
    taken = demo_id_number('370102', date(1985, 3, 14), '123')  # the demo resident 张伟
    actor = new_resident()
    with pytest.raises(DomainError) as caught:
        complete(actor, id_number=taken)
    assert caught.value.message == 'This ID number is already registered; please contact the city service desk.'


def test_names_of_minorities_and_foreigners_are_accepted() -> None:
    actor = new_resident()
    assert complete(actor, real_name='  阿依古丽·买买提 ').real_name == '阿依古丽·买买提'


def test_add_and_remove_a_family_member() -> None:
    owner = resident('13800000001')
    member = add_member(owner)
    assert member.relation == '父亲' and member.masked_id_number.endswith(number(date(1950, 1, 2))[-4:])
    with db.read_session() as session:
        names = [p.real_name for p in people.household(session, actor=owner)]
    assert names == ['张伟', '张建国', '赵大山']  # the resident first, then the family in order
    assert [e.target for e in audit('family.added')] == [f'person:{member.id}']
    with db.session_scope() as session:
        people.remove_family_member(session, actor=owner, person_id=member.id)
    with db.read_session() as session:
        assert [p.real_name for p in people.family(session, actor=owner)] == ['张建国']
        assert session.get(Person, member.id) is not None  # their records stay; only the link goes
    assert len(audit('family.removed')) == 1


def test_family_member_rules() -> None:
    owner = resident('13800000001')
    with pytest.raises(DomainError) as caught:
        add_member(owner, relation='  ')
    assert (caught.value.message, caught.value.params) == ('Please fill in: {field}.', {'field': 'Relation'})
    with pytest.raises(DomainError) as caught:
        add_member(owner, relation='r' * 21)
    assert caught.value.message == '{field}: at most {limit} characters.'
    with pytest.raises(DomainError) as caught, db.session_scope() as session:
        assert owner.person_id is not None
        people.remove_family_member(session, actor=owner, person_id=owner.person_id)
    assert caught.value.message == 'You cannot remove yourself.'
    for i in range(people.MAX_FAMILY - 1):  # the demo resident manages one already
        add_member(owner, id_number=number(date(1960, 1, 1 + i), sequence='777'))
    with pytest.raises(DomainError) as caught:
        add_member(owner, id_number=number(date(1961, 2, 3), sequence='777'))
    assert caught.value.message == 'You can manage at most {limit} family members.'
    with db.read_session() as session:
        assert len(people.family(session, actor=owner)) == people.MAX_FAMILY


def test_profile_first_then_family() -> None:
    actor = new_resident()
    with pytest.raises(DomainError) as caught:
        add_member(actor)
    assert caught.value.message == 'Please complete your profile first.'


def test_person_for_sees_own_and_managed_people_only() -> None:
    owner = resident('13800000001')
    other = resident('13800000002')
    with db.read_session() as session:
        father = session.exec(select(Person).where(Person.real_name == '张建国')).one()
        assert owner.person_id is not None and other.person_id is not None and father.id is not None
        assert person_for(session, owner, owner.person_id).real_name == '张伟'
        assert person_for(session, owner, father.id).real_name == '张建国'
        with pytest.raises(Forbidden) as caught:
            person_for(session, owner, other.person_id)
        assert caught.value.message == 'You can only see your own data and that of family members you manage.'
        with pytest.raises(Forbidden):
            person_for(session, other, father.id)  # another resident's family member
        with pytest.raises(NotFound):
            person_for(session, owner, 999_999)
    with pytest.raises(Forbidden), db.session_scope() as session:
        people.remove_family_member(session, actor=other, person_id=father.id)


def test_staff_read_of_a_person_is_audited() -> None:
    doctor, _error = staff_sign_in('doctor1', DEMO_PASSWORD)
    assert doctor is not None
    target = resident('13800000002')
    assert target.person_id is not None
    with db.session_scope() as session:
        seen = people.staff_view_person(session, actor=doctor, person_id=target.person_id, purpose='consultation 7')
    assert seen.real_name == '王芳' and '*' in seen.masked_id_number
    entries = audit('person.read')
    assert [(e.actor_account_id, e.target, e.detail) for e in entries] == [
        (doctor.account_id, f'person:{target.person_id}', 'consultation 7')
    ]
    with pytest.raises(DomainError), db.session_scope() as session:
        people.staff_view_person(session, actor=resident('13800000001'), person_id=target.person_id, purpose='x')
    with pytest.raises(NotFound), db.session_scope() as session:
        people.staff_view_person(session, actor=doctor, person_id=999_999, purpose='x')
    assert len(audit('person.read')) == 1


def test_a_resident_moves_district() -> None:
    owner = resident('13800000001')
    with db.session_scope() as session:
        assert people.update_district(session, actor=owner, district='370112').district == '370112'
    with pytest.raises(DomainError), db.session_scope() as session:
        people.update_district(session, actor=owner, district='999999')
    assert Role.resident is owner.role
