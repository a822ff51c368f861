"""The health code pages through NiceGUI's simulated user: the code and its explanation, the checkpoint verdict,
the live flip, and the admin's change with approval."""

from datetime import date

import pytest
from nicegui.testing import User

from services import db
from services.healthcode import admin, checkpoints
from tests.support.actors import actor, demo_id_number
from tests.support.healthcode import RESIDENT_PHONE, checkpoint_id, colour, live_token, make_people, resident, scan
from tests.support.pages import see, sign_in_resident, sign_in_staff
from tests.support.waits import wait_for

pytestmark = pytest.mark.filterwarnings('ignore')


async def open_code(user: User, phone: str) -> None:
    """Sign in as the resident and open their code screen."""
    await sign_in_resident(user, phone, landing_marker='scc-home-code')
    await user.open('/code')


async def test_yellow_resident_sees_why_and_when_it_ends(user: User) -> None:
    await open_code(user, '13800000003')
    await see(user, marker='scc-code')
    await see(user, '黄码')
    await see(user, '从风险地区抵达。')
    await see(user, marker='scc-reason-countdown')
    await see(user, '入境人员健康管理名单 Arrivals list (demo)')


async def test_checkpoint_passes_a_green_code_typed_by_a_scanner(user: User) -> None:
    token = live_token()
    await sign_in_staff(user, 'gate1')
    await user.open(f'/checkpoint/{checkpoint_id()}')
    await see(user, marker='scc-scanner-input')
    user.find(marker='scc-temperature').type('36.4')
    user.find(marker='scc-scanner-input').type(token).trigger('keydown.enter')
    await see(user, '通行')
    await see(user, '张*')
    user.find(marker='scc-scanner-input').type('SCC1:GARBAGE').trigger('keydown.enter')
    await see(user, '此码已损坏或不完整。')


async def test_fever_typo_is_refused_without_recording(user: User) -> None:
    _me, pid = resident()
    token = live_token()
    await sign_in_staff(user, 'gate1')
    await user.open(f'/checkpoint/{checkpoint_id()}')
    await see(user, marker='scc-scanner-input')
    user.find(marker='scc-temperature').type('3.65')
    user.find(marker='scc-scanner-input').type(token).trigger('keydown.enter')
    await see(user, '超出 34.0–43.0 ℃ 的范围')
    assert colour(pid) == 'green'


async def test_open_code_turns_red_without_reload_when_an_admin_marks_a_close_contact(user: User) -> None:
    _me, pid = resident()
    await open_code(user, RESIDENT_PHONE)
    await see(user, '绿码')
    with db.session_scope() as session:
        admin.request_change(session, actor=actor(username='admin'), kind='close_contact', person_ids=[pid],
                             reason='同一车厢 same carriage')  # fmt: skip
    await see(user, '红码')
    await see(user, '原因：同一车厢 same carriage')
    await see(user, '被官方列为确诊病例的密切接触者。')


async def test_admin_page_marks_close_contacts(user: User) -> None:
    await sign_in_staff(user, 'admin')
    await user.open('/admin/healthcode')
    await see(user, marker='scc-admin-ids')
    user.find(marker='scc-admin-ids').type(demo_id_number('370103', date(1990, 7, 2), '246'))
    user.find(marker='scc-admin-reason').type('同楼栋 same building')
    user.find(marker='scc-admin-apply').click()
    await see(user, marker='scc-change-applied')
    _me, pid = resident('13800000002')
    await wait_for(lambda: colour(pid) == 'red')


async def test_paper_code_is_issued_and_revoked(user: User) -> None:
    await sign_in_resident(user, RESIDENT_PHONE, landing_marker='scc-home-code')
    await user.open('/code/paper')
    await see(user, marker='scc-paper-issue')
    user.find(marker='scc-paper-issue').click()
    await see(user, marker='scc-paper-check-id')
    await see(user, '核验身份证')
    user.find('吊销').click()
    await see(user, '已作废')


async def test_declared_symptoms_turn_the_code_yellow(user: User) -> None:
    await sign_in_resident(user, '13800000002', landing_marker='scc-home-code')
    await user.open('/code/declare')
    user.find('咳嗽').click()
    user.find('提交申报').click()
    await see(user, '黄码')
    await see(user, '申报了症状（发热、咳嗽、乏力、咽痛或嗅觉丧失）。')


async def test_show_code_mode_resident_records_own_pass_by_scanning_the_poster(user: User) -> None:
    gate = actor(username='gate1')
    with db.read_session() as session:
        show_code = next(c for c in checkpoints.list_checkpoints(session) if c.mode == 'show_code')
        scan_mode = next(c for c in checkpoints.list_checkpoints(session) if c.mode == 'scan_temperature')
    with db.read_session() as session:
        poster = checkpoints.poster_token(session, actor=gate, checkpoint_id=show_code.id)
        wrong = checkpoints.poster_token(session, actor=gate, checkpoint_id=scan_mode.id)
    await open_code(user, RESIDENT_PHONE)
    await see(user, marker='scc-i-passed')
    user.find(marker='scc-i-passed').click()
    await see(user, marker='scc-scanner-input')
    user.find(marker='scc-scanner-input').type(wrong).trigger('keydown.enter')
    await see(user, '此卡口需扫码：请向工作人员出示健康码。')
    user.find(marker='scc-scanner-input').type(poster).trigger('keydown.enter')
    await see(user, f'已记录在{show_code.name_zh}通行')
    me, pid = resident()
    with db.read_session() as session:
        passes = checkpoints.my_passes(session, actor=me, person_id=pid)
    assert [(p.checkpoint_zh, p.result) for p in passes] == [(show_code.name_zh, 'pass')]


async def test_mass_change_flips_the_open_code_at_once_with_the_reason(user: User) -> None:
    _me, pid = resident()
    others = [p.id for p in make_people(4) if p.id]
    await open_code(user, RESIDENT_PHONE)
    await see(user, '绿码')
    with db.session_scope() as session:  # five people in one change: a mass change
        admin.request_change(session, actor=actor(username='admin'), kind='close_contact', person_ids=[pid, *others],
                             reason='同一楼栋 same building')  # fmt: skip
    await see(user, '红码')
    await see(user, '您的健康码刚刚发生变化。 原因：同一楼栋 same building')  # the flip's banner


async def test_checkpoint_counts_passes_live(user: User) -> None:
    await sign_in_staff(user, 'gate1')
    await user.open(f'/checkpoint/{checkpoint_id()}')
    await see(user, marker='scc-count-pass', content='0')
    assert scan(live_token(), '36.5').result == 'pass'
    await see(user, marker='scc-count-pass', content='1')  # the live count, without reload
