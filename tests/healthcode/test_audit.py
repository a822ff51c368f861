"""Every staff read of a person's data in the health code is an audit row — who, whom (the person id, never the ID
number), when, where, why — and the log can be searched by actor, subject and kind."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from nicegui.testing import User
from sqlmodel import col, select

from models.accounts import AuditEntry, Person
from models.common import utcnow
from services import audit, db
from services.errors import DomainError
from services.healthcode import admin, codes, keys
from tests.support.actors import actor, demo_id_number
from tests.support.healthcode import add_pass, checkpoint_id, live_token, make_people, resident, scan
from tests.support.pages import see, sign_in_staff
from tests.support.waits import wait_for

pytestmark = pytest.mark.filterwarnings('ignore')
LIXIA_246 = demo_id_number('370103', date(1990, 7, 2), '246')  # a demo resident (13800000002)


@pytest.fixture(autouse=True)
def active_key(fresh_keys: None) -> Iterator[None]:
    """An active signing key in the database before each test (as after start-up)."""
    keys.ensure_key()
    yield


def entries(action: str) -> list[AuditEntry]:
    with db.read_session() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))))


def id_number_of(person_id: int) -> str:
    with db.read_session() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person.id_number


def no_id_number_in(rows: list[AuditEntry], number: str) -> bool:
    return all(number not in f'{r.actor_label} {r.target} {r.detail}' for r in rows)


def test_each_checkpoint_verification_is_audited_with_who_whom_when_where() -> None:
    gate = actor(username='gate1')
    _me, pid = resident()
    before = utcnow()
    assert scan(live_token(), '36.5').result == 'pass'
    with db.session_scope() as session:
        short = codes.new_short_code(session, actor=resident()[0], person_id=pid)
    assert scan(short).result == 'pass'
    rows = entries('checkpoint.verify')
    assert [(r.actor_account_id, r.target) for r in rows] == [(gate.account_id, f'person:{pid}')] * 2
    assert all(r.detail.startswith(f'checkpoint:{checkpoint_id()} ') for r in rows)
    assert [r.detail.split()[1] for r in rows] == ['scan', 'short']
    assert all(before - timedelta(seconds=1) <= r.at <= utcnow() for r in rows)
    assert no_id_number_in(rows, id_number_of(pid))


def test_a_refused_code_names_nobody_and_a_refused_reading_writes_nothing() -> None:
    assert scan('SCC1:GARBAGE').result == 'refused'
    with pytest.raises(DomainError):
        scan(live_token(), '3.65')  # a typo: refused, the whole check rolls back
    assert entries('checkpoint.verify') == []


def test_an_admins_id_number_look_up_is_audited_per_person() -> None:
    boss = actor(username='admin')
    people = make_people(3)
    numbers = '\n'.join(p.id_number for p in people)
    with db.session_scope() as session:
        rows = admin.find_people(session, actor=boss, id_numbers=numbers)
    assert len(rows) == 3
    logged = entries('person.read')
    assert sorted(r.target for r in logged) == sorted(f'person:{p.id}' for p in people)
    assert {r.actor_account_id for r in logged} == {boss.account_id}
    assert all('look-up' in r.detail for r in logged)
    assert all(no_id_number_in(logged, p.id_number) for p in people)


def test_contact_tracing_audits_the_case_and_every_contact_shown() -> None:
    boss = actor(username='admin')
    case, near = make_people(2)
    assert case.id is not None and near.id is not None
    moment = utcnow() - timedelta(days=1)
    add_pass(case.id, moment)
    add_pass(near.id, moment + timedelta(minutes=10))
    with db.session_scope() as session:
        found = admin.trace_contacts(session, actor=boss, id_number=case.id_number)
    assert [r.person_id for r in found] == [near.id]
    logged = entries('person.read')
    assert sorted(r.target for r in logged) == sorted([f'person:{case.id}', f'person:{near.id}'])
    assert no_id_number_in(logged, case.id_number) and no_id_number_in(logged, near.id_number)


def test_the_log_filters_by_actor_subject_and_kind() -> None:
    gate, boss = actor(username='gate1'), actor(username='admin')
    _me, pid = resident()
    other = make_people(1)[0]
    assert other.id is not None
    scan(live_token(), '36.5')
    with db.session_scope() as session:
        admin.find_people(session, actor=boss, id_numbers=f'{id_number_of(pid)}\n{other.id_number}')
    with db.read_session() as session:
        by_gate = audit.search(session, actor=str(gate.account_id))
        by_label = audit.search(session, actor=gate.label.upper())
        about = audit.search(session, subject=f'person:{pid}')
        about_bare = audit.search(session, subject=str(pid))
        verifications = audit.search(session, kind='checkpoint.verify')
        module = audit.search(session, kind='checkpoint')
        admin_about = audit.search(session, actor=f'#{boss.account_id}', subject=str(pid), kind='person.read')
        nobody = audit.search(session, actor='no such person', kind='checkpoint.verify')
        kinds = audit.kinds(session)
    assert by_gate and {e.actor_account_id for e in by_gate} == {gate.account_id}
    assert [e.id for e in by_label] == [e.id for e in by_gate]
    assert {(e.action, e.actor_account_id) for e in about} == {('checkpoint.verify', gate.account_id),
                                                              ('person.read', boss.account_id)}  # fmt: skip
    assert [e.id for e in about_bare] == [e.id for e in about]
    assert [e.action for e in verifications] == ['checkpoint.verify'] and [e.id for e in module] == [
        e.id for e in verifications
    ]
    assert [(e.action, e.target) for e in admin_about] == [('person.read', f'person:{pid}')]
    assert nobody == []
    assert {'checkpoint.verify', 'person.read'} <= set(kinds)


def test_subject_filter_does_not_match_a_longer_id() -> None:
    boss = actor(username='admin')
    with db.session_scope() as session:
        for target in ('person:12', 'person:123', 'person:1'):
            audit.record(session, actor_id=boss.account_id, actor_label=boss.label, action='test.read',
                         target=target)  # fmt: skip
        audit.record(session, actor_id=boss.account_id, actor_label=boss.label, action='test.read',
                     target='consultation:9', detail='person:12 from the queue')  # fmt: skip
        audit.record(session, actor_id=boss.account_id, actor_label=boss.label, action='test.read_other',
                     target='person:12')  # fmt: skip
    with db.read_session() as session:
        found = audit.search(session, subject='person:12', kind='test.read')
        odd = audit.search(session, kind='test.read_%')
    assert sorted(e.target for e in found) == ['consultation:9', 'person:12']
    assert odd == []  # the kind is matched literally: '%' and '_' are not wildcards


async def test_check_the_list_on_the_admin_page_leaves_an_audit_row(user: User) -> None:
    boss = actor(username='admin')
    pid = resident('13800000002')[1]
    await sign_in_staff(user, 'admin')
    await user.open('/admin/healthcode')
    await see(user, marker='scc-admin-ids')
    user.find(marker='scc-admin-ids').type(LIXIA_246)
    user.find(marker='scc-admin-check').click()
    await see(user, marker='scc-people-table')
    await wait_for(lambda: [(r.actor_account_id, r.target) for r in entries('person.read')]
                   == [(boss.account_id, f'person:{pid}')])  # fmt: skip


async def test_a_verification_on_the_checkpoint_page_leaves_an_audit_row(user: User) -> None:
    gate = actor(username='gate1')
    pid = resident()[1]
    token = live_token()
    await sign_in_staff(user, 'gate1')
    await user.open(f'/checkpoint/{checkpoint_id()}')
    await see(user, marker='scc-scanner-input')
    user.find(marker='scc-temperature').type('36.5')  # this gate takes a reading with every scan
    user.find(marker='scc-scanner-input').type(token).trigger('keydown.enter')
    await see(user, marker='scc-verdict')
    await wait_for(lambda: [(r.actor_account_id, r.target) for r in entries('checkpoint.verify')]
                   == [(gate.account_id, f'person:{pid}')])  # fmt: skip
