"""The clinic's pages through NiceGUI's simulated users: a resident joins and waits, a doctor sees and calls them,
they chat, the resident keeps the record; red flags show the emergency screen; the admin sees the figures."""

import asyncio
from datetime import timedelta

from nicegui.testing import User
from sqlmodel import select

from models.clinic import ClinicConsultation
from models.common import utcnow
from services import db
from services.clinic import QUEUE_CHANGED, QueueChanged, consult, queue
from services.events import bus
from tests.support.actors import actor
from tests.support.clinic import RESIDENTS, join, latest_consultation_id, on_duty
from tests.support.pages import more_users, see, sign_in_resident, sign_in_staff
from tests.support.waits import wait_for
from views.clinic.board import MIN_INTERVAL_SECONDS, board


async def notified(users: list[User], text: str) -> None:
    """A notice with `text` was shown. With several simulated users NiceGUI records a notice with whichever user
    touched the app last, so look at all of them."""

    def shown() -> bool:
        return any(text in message for u in users for message in u.notify.messages)

    await wait_for(shown, timeout=20.0)


async def follow_join(user: User, before: int) -> int:
    """After "See a doctor": the new consultation's id, with its page open for this user. (With several simulated
    users NiceGUI routes `ui.navigate` to whichever user was touched last, so the page is opened explicitly here;
    the real browser test covers the navigation itself.)"""

    def started() -> int:
        latest = latest_consultation_id()
        return latest if latest > before else 0

    cid = await wait_for(started, timeout=20.0)
    await user.open(f'/clinic/c/{cid}')
    return cid


async def test_resident_joins_doctor_calls_they_chat_and_the_record_stays(user: User) -> None:
    # NiceGUI's simulated users share ui.navigate (it follows whichever user was touched last), so navigation by a
    # click is done here while only one user's page is changing; the real browser test clicks everything.
    on_duty(actor(username='doctor1'), now=utcnow())
    async with more_users(user) as new_user:
        await _whole_consultation(user, new_user())


async def _whole_consultation(user: User, doctor: User) -> None:
    await sign_in_resident(user, RESIDENTS[0])
    await see(user, '城市公告')  # Home, after signing in
    await user.open('/clinic')
    await see(user, marker='scc-triage-form')
    user.find(marker='scc-temperature').type('38.6')
    user.find(marker='scc-symptom-cough').click()
    before = latest_consultation_id()
    user.find(marker='scc-join').click()
    cid = await follow_join(user, before)
    await see(user, marker='scc-place')
    await see(user, '您排在第1位')  # "Your place in the queue: 1"
    await see(user, '在线医生：1位')  # one doctor on duty
    await see(user, marker='scc-few')  # three or fewer ahead: told to stay

    await sign_in_staff(doctor, 'doctor1')
    await doctor.open('/clinic/desk')
    await see(doctor, '排队中：1人')
    join(actor(phone=RESIDENTS[1]), now=utcnow(), temperature=37.5)  # another patient joins, milder
    await see(doctor, '排队中：2人')  # the desk updated live
    await notified([user, doctor], '有新患者加入排队。')  # and told the doctor (with a beep)
    await see(user, '排队人数：2')  # the first patient's page too
    with db.session_scope() as session:  # "Call next" (clicked in the browser test)
        called = queue.call_next(session, actor=actor(username='doctor1'))
    assert called is not None and called.id == cid  # the sicker patient first
    await doctor.open(f'/clinic/desk/c/{cid}')
    await see(doctor, marker='scc-outcome-form')
    await see(user, marker='scc-chat-input')  # the resident's page switched to the consultation by itself
    await see(user, '医生：李医生 Dr Li')

    user.find(marker='scc-chat-input').type('<b>I feel hot</b>')
    user.find(marker='scc-chat-send').click()
    await see(doctor, '<b>I feel hot</b>')  # as text, the way it was typed
    doctor.find(marker='scc-chat-input').type('Please rest.')
    doctor.find(marker='scc-chat-send').click()
    await see(user, 'Please rest.')

    with db.session_scope() as session:
        consult.finish(session, actor=actor(username='doctor1'), consultation_id=cid, outcome='home_isolation',
                       advice='Stay home for 14 days.')  # fmt: skip
    await see(user, marker='scc-record')
    await see(user, '居家隔离观察')  # "Home isolation and observation"
    await see(user, 'Stay home for 14 days.')
    await see(user, '黄码')  # the patient's health code, now yellow
    await user.open('/clinic/records')
    await see(user, marker='scc-consult-card')


async def test_red_flag_shows_the_emergency_screen_and_alerts_the_doctors(user: User) -> None:
    async with more_users(user) as new_user:
        await _red_flag(user, new_user())


async def _red_flag(user: User, doctor: User) -> None:
    await sign_in_staff(doctor, 'doctor2')
    await doctor.open('/clinic/desk')
    await see(doctor, marker='scc-call-next')
    await sign_in_resident(user, RESIDENTS[1])
    await see(user, '城市公告')  # Home, after signing in
    await user.open('/clinic')
    await see(user, marker='scc-triage-form')
    user.find(marker='scc-temperature').type('39.1')
    user.find(marker='scc-flag-breathing').click()
    before = latest_consultation_id()
    user.find(marker='scc-join').click()
    await follow_join(user, before)
    await see(user, marker='scc-emergency')
    await see(user, '请立即拨打120')  # "Call 120 now"
    await see(user, '济南市第四人民医院发热门诊')  # the nearest fever clinic for Shizhong district
    await notified([user, doctor], '危险信号：有患者需要立即处理。')  # every open desk is alerted
    await doctor.open('/clinic/desk')  # (the shared ui.navigate may have moved this simulated user away)
    await see(doctor, marker='scc-red-flag')


async def test_bad_triage_answer_is_explained_and_nothing_is_stored(user: User) -> None:
    await sign_in_resident(user, RESIDENTS[2])
    await see(user, '城市公告')  # Home, after signing in
    await user.open('/clinic')
    await see(user, marker='scc-triage-form')
    user.find(marker='scc-join').click()  # no temperature
    await see(user, '请填写体温。')
    with db.read_session() as session:
        assert session.exec(select(ClinicConsultation).where(ClinicConsultation.status == 'waiting')).first() is None


async def test_leaving_the_queue_from_the_page(user: User) -> None:
    resident = actor(phone=RESIDENTS[0])
    cid = join(resident, now=utcnow())
    await sign_in_resident(user, RESIDENTS[0])
    await see(user, marker='scc-home-clinic')  # Home shows the open consultation
    await user.open(f'/clinic/c/{cid}')
    await see(user, marker='scc-leave')
    user.find(marker='scc-leave').click()
    await see(user, '确定退出排队吗？您将失去当前位置。')
    user.find(marker='scc-leave-confirm').click()
    await see(user, '您已不在队列中，可以随时重新问诊。')
    with db.read_session() as session:
        assert consult.consultation(session, actor=resident, consultation_id=cid).status == 'left'


async def test_admin_sees_live_figures_and_a_warning(user: User) -> None:
    join(actor(phone=RESIDENTS[0]), now=utcnow() - timedelta(hours=1))
    await sign_in_staff(user, 'admin')
    await user.open('/clinic/admin')
    await see(user, marker='scc-stat-waiting')
    await see(user, marker='scc-clinic-warning')  # one patient has waited an hour: over the 30-minute threshold
    with db.session_scope() as session:
        queue.set_duty(session, actor=actor(username='doctor1'), on_duty=True)
    await see(user, '在线医生')


async def test_asked_whether_worse_on_the_waiting_page(user: User) -> None:
    resident = actor(phone=RESIDENTS[0])
    cid = join(resident, now=utcnow())
    await sign_in_resident(user, RESIDENTS[0])
    await see(user, '城市公告')
    await user.open(f'/clinic/c/{cid}')
    await see(user, marker='scc-place')
    later = utcnow() + timedelta(minutes=21)  # the app timer's sweep, 21 minutes on
    with db.session_scope() as session:
        queue.heartbeat(session, consultation_ids=[cid], doctor_ids=[], now=later)
    with db.session_scope() as session:
        assert queue.sweep(session, now=later)['asked'] == [cid]
    await see(user, marker='scc-ask')  # the question pops up on the open page
    assert len(board.updated.callbacks) == 1  # the rebuilt waiting card let go of the board; the new one follows it
    user.find('是，加重了').click()
    await notified([user], '谢谢，已提高您的优先级。')
    with db.read_session() as session:
        answered = consult.consultation(session, actor=resident, consultation_id=cid)
    assert answered.worse_count == 1 and not answered.ask_pending


async def test_a_burst_of_queue_changes_recomputes_the_board_twice_not_once_per_change(user: User) -> None:
    await user.open('/login')  # the app is running
    before = board.recomputes
    for _ in range(50):
        bus.publish(QUEUE_CHANGED, QueueChanged(reason='duty'))
    await wait_for(lambda: board.recomputes >= before + 2)
    await asyncio.sleep(MIN_INTERVAL_SECONDS * 3)
    assert board.recomputes == before + 2  # the first change at once, the other 49 folded into one more


async def test_call_next_off_duty_says_go_on_duty_only(user: User) -> None:
    with db.session_scope() as session:
        queue.set_duty(session, actor=actor(username='doctor1'), on_duty=False)
    join(actor(phone=RESIDENTS[0]), now=utcnow())  # a patient is waiting
    await sign_in_staff(user, 'doctor1')
    await user.open('/clinic/desk')
    await see(user, '排队中：1人')
    user.find(marker='scc-call-next').click()
    await notified([user], '请先上线接诊。')
    await asyncio.sleep(0.5)
    assert not any('目前没有在线排队的患者。' in message for message in user.notify.messages)


async def test_an_impossible_temperature_is_explained_next_to_its_field_without_a_toast(user: User) -> None:
    await sign_in_resident(user, RESIDENTS[2])
    await see(user, '城市公告')  # Home, after signing in
    await user.open('/clinic')
    await see(user, marker='scc-triage-form')
    shown = len(user.notify.messages)
    user.find(marker='scc-temperature').type('45')
    user.find(marker='scc-join').click()
    await see(user, marker='scc-temperature', content='体温应在34.0到43.0 °C之间，请重新测量。')
    await asyncio.sleep(0.5)
    assert user.notify.messages[shown:] == []  # one message, next to the field: no toast
    with db.read_session() as session:
        assert session.exec(select(ClinicConsultation).where(ClinicConsultation.status == 'waiting')).first() is None


async def test_called_resident_hears_feels_and_sees_it_in_the_tab_title(user: User) -> None:
    resident = actor(phone=RESIDENTS[0])
    on_duty(actor(username='doctor1'), now=utcnow())
    cid = join(resident, now=utcnow())
    await sign_in_resident(user, RESIDENTS[0])
    await see(user, '城市公告')
    await user.open(f'/clinic/c/{cid}')
    await see(user, marker='scc-place')
    client = user.client
    assert client is not None

    def title() -> str:
        return str(client.title or '')

    assert '医生' not in title()
    with db.session_scope() as session:  # the doctor clicks "Call next"
        called = queue.call_next(session, actor=actor(username='doctor1'))
    assert called is not None and called.id == cid
    await see(user, marker='scc-chat-input')
    await wait_for(lambda: '医生已开始为您问诊' in title(), timeout=20.0)  # the tab's title tells them too
