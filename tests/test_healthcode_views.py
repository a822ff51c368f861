"""The health code pages through NiceGUI's simulated user: the code and its explanation, the checkpoint verdict,
the live flip, and the admin's change with approval."""

import re
from collections.abc import Iterator

import pytest
from nicegui.testing import User
from sqlmodel import select

from models.accounts import Account
from services import db
from services.access import Actor, load_actor
from services.foundation.demo import DEMO_PASSWORD
from services.healthcode import checkpoints, codes, keys

pytestmark = pytest.mark.filterwarnings('ignore')


@pytest.fixture(autouse=True)
def fresh_keys() -> Iterator[None]:
    keys.forget()
    yield
    keys.forget()


async def see(user: User, *args: object, **kwargs: object) -> None:
    await user.should_see(*args, retries=40, **kwargs)  # type: ignore[call-overload]


def actor_for(phone: str) -> Actor:
    with db.read_session() as session:
        account = session.exec(select(Account).where(Account.phone == phone)).one()
        found = load_actor(session, account.id)
    assert found is not None
    return found


async def sign_in_resident(user: User, phone: str) -> None:
    await user.open('/login')
    user.find(marker='scc-phone').type(phone)
    user.find(marker='scc-ask').click()
    await see(user, marker='scc-demo-code')
    label = user.find(marker='scc-demo-code').elements.pop()
    match = re.search(r'\d{6}', label.text)  # type: ignore[attr-defined]
    assert match is not None
    user.find(marker='scc-code').type(match.group(0))
    user.find(marker='scc-submit').click()
    await see(user, marker='scc-home-code')


async def sign_in_staff(user: User, username: str) -> None:
    await user.open('/staff/login')
    user.find(marker='scc-username').type(username)
    user.find(marker='scc-password').type(DEMO_PASSWORD)
    user.find(marker='scc-submit').click()
    await see(user, '欢迎，')


def first_checkpoint() -> int:
    with db.read_session() as session:
        return checkpoints.list_checkpoints(session)[0].id


async def test_yellow_resident_sees_why_and_when_it_ends(user: User) -> None:
    await sign_in_resident(user, '13800000003')
    await user.open('/code')
    await see(user, marker='scc-code')
    await see(user, '黄码')
    await see(user, '从风险地区抵达。')
    await see(user, marker='scc-reason-countdown')
    await see(user, '入境人员健康管理名单 Arrivals list (demo)')


async def test_checkpoint_passes_a_green_code_typed_by_a_scanner(user: User) -> None:
    me = actor_for('13800000001')
    assert me.person_id is not None
    with db.read_session() as session:
        token = codes.issue_code(session, actor=me, person_id=me.person_id).token
    await sign_in_staff(user, 'gate1')
    await user.open(f'/checkpoint/{first_checkpoint()}')
    await see(user, marker='scc-scanner-input')
    user.find(marker='scc-temperature').type('36.4')
    user.find(marker='scc-scanner-input').type(token).trigger('keydown.enter')
    await see(user, '通行')
    await see(user, '张*')
    user.find(marker='scc-scanner-input').type('SCC1:GARBAGE').trigger('keydown.enter')
    await see(user, '此码已损坏或不完整。')


async def test_fever_typo_is_refused_without_recording(user: User) -> None:
    me = actor_for('13800000001')
    assert me.person_id is not None
    with db.read_session() as session:
        token = codes.issue_code(session, actor=me, person_id=me.person_id).token
    await sign_in_staff(user, 'gate1')
    await user.open(f'/checkpoint/{first_checkpoint()}')
    await see(user, marker='scc-scanner-input')
    user.find(marker='scc-temperature').type('3.65')
    user.find(marker='scc-scanner-input').type(token).trigger('keydown.enter')
    await see(user, '超出 34.0–43.0 ℃ 的范围')
    with db.read_session() as session:
        assert codes.assess(session, person_id=me.person_id).colour == 'green'


async def test_open_code_turns_red_without_reload_when_an_admin_marks_a_close_contact(user: User) -> None:
    from services.healthcode import admin

    me = actor_for('13800000001')
    assert me.person_id is not None
    await sign_in_resident(user, '13800000001')
    await user.open('/code')
    await see(user, '绿码')
    with db.read_session() as session:
        account = session.exec(select(Account).where(Account.username == 'admin')).one()
        boss = load_actor(session, account.id)
    assert boss is not None
    with db.session_scope() as session:
        admin.request_change(session, actor=boss, kind='close_contact', person_ids=[me.person_id],
                             reason='同一车厢 same carriage')  # fmt: skip
    await see(user, '红码')
    await see(user, '原因：同一车厢 same carriage')
    await see(user, '被官方列为确诊病例的密切接触者。')


async def test_admin_page_marks_close_contacts(user: User) -> None:
    from datetime import date

    from services.foundation.demo import demo_id_number

    await sign_in_staff(user, 'admin')
    await user.open('/admin/healthcode')
    await see(user, marker='scc-admin-ids')
    user.find(marker='scc-admin-ids').type(demo_id_number('370103', date(1990, 7, 2), '246'))
    user.find(marker='scc-admin-reason').type('同楼栋 same building')
    user.find(marker='scc-admin-apply').click()
    await see(user, marker='scc-change-applied')
    me = actor_for('13800000002')
    assert me.person_id is not None
    for _ in range(40):
        with db.read_session() as session:
            if codes.assess(session, person_id=me.person_id).colour == 'red':
                break
        import asyncio

        await asyncio.sleep(0.1)
    with db.read_session() as session:
        assert codes.assess(session, person_id=me.person_id).colour == 'red'


async def test_paper_code_is_issued_and_revoked(user: User) -> None:
    await sign_in_resident(user, '13800000001')
    await user.open('/code/paper')
    await see(user, marker='scc-paper-issue')
    user.find(marker='scc-paper-issue').click()
    await see(user, marker='scc-paper-check-id')
    await see(user, '核验身份证')
    user.find('吊销').click()
    await see(user, '已作废')


async def test_declared_symptoms_turn_the_code_yellow(user: User) -> None:
    await sign_in_resident(user, '13800000002')
    await user.open('/code/declare')
    user.find('咳嗽').click()
    user.find('提交申报').click()
    await see(user, '黄码')
    await see(user, '申报了症状（发热、咳嗽、乏力、咽痛或嗅觉丧失）。')


async def test_show_code_mode_resident_records_own_pass_by_scanning_the_poster(user: User) -> None:
    with db.read_session() as session:
        gate = load_actor(session, session.exec(select(Account).where(Account.username == 'gate1')).one().id)
        show_code = next(c for c in checkpoints.list_checkpoints(session) if c.mode == 'show_code')
        scan_mode = next(c for c in checkpoints.list_checkpoints(session) if c.mode == 'scan_temperature')
    assert gate is not None
    with db.read_session() as session:
        poster = checkpoints.poster_token(session, actor=gate, checkpoint_id=show_code.id)
        wrong = checkpoints.poster_token(session, actor=gate, checkpoint_id=scan_mode.id)
    await sign_in_resident(user, '13800000001')
    await user.open('/code')
    await see(user, marker='scc-i-passed')
    user.find(marker='scc-i-passed').click()
    await see(user, marker='scc-scanner-input')
    user.find(marker='scc-scanner-input').type(wrong).trigger('keydown.enter')
    await see(user, '此卡口需扫码：请向工作人员出示健康码。')
    user.find(marker='scc-scanner-input').type(poster).trigger('keydown.enter')
    await see(user, f'已记录在{show_code.name_zh}通行')
    me = actor_for('13800000001')
    assert me.person_id is not None
    with db.read_session() as session:
        passes = checkpoints.my_passes(session, actor=me, person_id=me.person_id)
    assert [(p.checkpoint_zh, p.result) for p in passes] == [(show_code.name_zh, 'pass')]
