"""Every submitting action of the clinic happens once — joining the queue, a chat message, finishing — and the text
a resident or doctor types is limited and loses bidirectional controls. The same key twice returns the first result;
two clicks make one row; the database itself holds at most one open consultation per person."""

import asyncio

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from models.accounts import AuditEntry
from models.clinic import ClinicConsultation, ClinicMessage
from models.common import utcnow
from services import db
from services.clinic import consult, queue
from services.errors import DomainError
from tests.support.actors import actor
from tests.support.clinic import RESIDENTS, form, join, latest_consultation_id, on_duty
from tests.support.pages import not_see, see, sign_in_resident, sign_in_staff
from tests.support.waits import wait_for

KEY = 'clinic-retry-0123456789'
C = ClinicConsultation.__table__  # type: ignore[attr-defined]
M = ClinicMessage.__table__  # type: ignore[attr-defined]


def count(query) -> int:  # type: ignore[no-untyped-def]
    with db.read_session() as session:
        return int(session.execute(query).scalar_one())


def consultations_of(person_id: int) -> int:
    return count(select(func.count()).select_from(C).where(C.c.person_id == person_id))


def messages_of(consultation_id: int) -> int:
    return count(select(func.count()).select_from(M).where(M.c.consultation_id == consultation_id))


def status(consultation_id: int) -> str:
    with db.read_session() as session:
        return str(session.execute(select(C.c.status).where(C.c.id == consultation_id)).scalar_one())


def in_consult(phone: str = RESIDENTS[0]) -> int:
    """A consultation of this resident that doctor1 called."""
    now = utcnow()
    consultation_id = join(actor(phone=phone), now=now)
    on_duty(actor(username='doctor1'), now=now)
    with db.session_scope() as session:
        called = queue.call_next(session, actor=actor(username='doctor1'), now=now)
    assert called is not None and called.id == consultation_id
    return consultation_id


def test_joining_twice_with_one_key_is_one_place_in_the_queue() -> None:
    resident = actor(phone=RESIDENTS[0])
    assert resident.person_id is not None
    before = consultations_of(resident.person_id)
    with db.session_scope() as session:
        first = queue.start_consultation(session, actor=resident, form=form(resident.person_id), key=KEY)
    with db.session_scope() as session:  # the retry gets the first place back, not "already open"
        again = queue.start_consultation(session, actor=resident, form=form(resident.person_id), key=KEY)
    assert again.id == first.id and consultations_of(resident.person_id) == before + 1
    with pytest.raises(DomainError, match='already an open consultation'), db.session_scope() as session:
        queue.start_consultation(session, actor=resident, form=form(resident.person_id), key=KEY + 'b')


def test_the_database_holds_one_open_consultation_per_person() -> None:
    resident = actor(phone=RESIDENTS[1])
    cid = join(resident, now=utcnow())
    with db.read_session() as session:
        row = session.execute(select(C).where(C.c.id == cid)).mappings().one()
    twin = {k: v for k, v in row.items() if k != 'id'}
    with pytest.raises(IntegrityError), db.session_scope() as session:  # past every check of the service
        session.execute(insert(C).values(**twin))
    with db.session_scope() as session:  # a closed one beside it is fine
        session.execute(insert(C).values(**{**twin, 'status': 'left'}))


def test_a_message_sent_twice_with_one_key_is_one_message() -> None:
    cid = in_consult()
    resident = actor(phone=RESIDENTS[0])
    for _ in range(2):
        with db.session_scope() as session:
            sent = consult.send_message(session, actor=resident, consultation_id=cid, body='发烧了', key=KEY)
    assert messages_of(cid) == 1 and sent.body == '发烧了'


def test_finishing_twice_with_one_key_gives_the_first_outcome() -> None:
    cid = in_consult()
    doctor = actor(username='doctor1')
    results = []
    for _ in range(2):  # the second time, without the key, would be "This consultation has ended already."
        with db.session_scope() as session:
            results.append(consult.finish(session, actor=doctor, consultation_id=cid, outcome='self_care',
                                          advice='多喝水', key=KEY))  # fmt: skip
    assert results[0] == results[1] and results[0].outcome == 'self_care'
    where = (col(AuditEntry.action) == 'clinic.outcome', col(AuditEntry.target) == f'consultation:{cid}')
    outcomes = select(func.count()).select_from(AuditEntry).where(*where)
    assert count(outcomes) == 1


@pytest.mark.parametrize('mark', ['\u202e', '\u202a', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c'])
def test_chat_and_travel_lose_bidirectional_controls(mark: str) -> None:
    cid = in_consult()
    with db.session_scope() as session:
        sent = consult.send_message(session, actor=actor(phone=RESIDENTS[0]), consultation_id=cid,
                                    body=f'{mark}exe.txt{mark}')  # fmt: skip
    assert sent.body == 'exe.txt'
    other = actor(phone=RESIDENTS[1])
    travelled = form(other.person_id or 0, travel=True, travel_detail=f'{mark}北京{mark}')
    with db.session_scope() as session:
        started = queue.start_consultation(session, actor=other, form=travelled)
    assert started.travel_detail == '北京'


def test_free_text_is_limited() -> None:
    cid = in_consult()
    with pytest.raises(DomainError, match='at most 500'), db.session_scope() as session:
        consult.send_message(session, actor=actor(phone=RESIDENTS[0]), consultation_id=cid, body='字' * 501)
    with pytest.raises(DomainError, match='at most 2000'), db.session_scope() as session:
        consult.finish(session, actor=actor(username='doctor1'), consultation_id=cid, outcome='self_care',
                       advice='字' * 2001)  # fmt: skip
    other = actor(phone=RESIDENTS[1])
    with pytest.raises(DomainError, match='at most 100'), db.session_scope() as session:
        queue.start_consultation(session, actor=other, form=form(other.person_id or 0, travel=True,
                                                                 travel_detail='地' * 101))  # fmt: skip


async def test_a_double_tap_on_see_a_doctor_joins_once(user: User) -> None:
    resident = actor(phone=RESIDENTS[0])
    assert resident.person_id is not None
    await sign_in_resident(user, RESIDENTS[0])
    await see(user, '城市公告')
    await user.open('/clinic')
    await see(user, marker='scc-triage-form')
    user.find(marker='scc-temperature').type('38.2')
    before = latest_consultation_id()
    user.find(marker='scc-join').click()
    user.find(marker='scc-join').click()
    await wait_for(lambda: latest_consultation_id() > before)
    await not_see(user, '已有一次进行中的问诊')  # the second tap is not refused as a second consultation
    await asyncio.sleep(0.3)  # a second join, had the tap gone through, ends meanwhile
    assert latest_consultation_id() == before + 1


async def test_a_double_tap_on_send_in_the_chat_sends_once(user: User) -> None:
    cid = in_consult()
    await sign_in_resident(user, RESIDENTS[0])
    await see(user, '城市公告')
    await user.open(f'/clinic/c/{cid}')
    await see(user, marker='scc-chat-input')
    user.find(marker='scc-chat-input').type('只说一次')
    user.find(marker='scc-chat-send').click()
    user.find(marker='scc-chat-send').click()
    await wait_for(lambda: messages_of(cid) == 1)
    await asyncio.sleep(0.3)
    assert messages_of(cid) == 1


async def test_a_double_click_on_finish_finishes_once(user: User) -> None:
    cid = in_consult()
    await sign_in_staff(user, 'doctor1')
    await user.open(f'/clinic/desk/c/{cid}')
    await see(user, marker='scc-outcome-form')
    choice = next(iter(user.find(marker='scc-outcome-choice').elements))
    choice.value = 'self_care'  # type: ignore[attr-defined]
    user.find(marker='scc-advice-input').type('多休息')
    user.find(marker='scc-finish').click()
    user.find(marker='scc-finish').click()
    await wait_for(lambda: status(cid) == 'done')
    await not_see(user, '这次问诊已经结束')  # no red "ended already" right after the success


def text_fields_without_maxlength(user: User) -> list[str]:
    assert user.client is not None
    fields = [e for e in list(user.client.elements.values()) if isinstance(e, (ui.input, ui.textarea))]
    assert fields, 'no text fields on the page'
    return [str(e.props.get('label') or e.props.get('placeholder')) for e in fields if not e.props.get('maxlength')]


async def test_every_text_field_of_the_clinic_has_a_maxlength(user: User) -> None:
    cid = in_consult()
    await sign_in_resident(user, RESIDENTS[1])
    await see(user, '城市公告')
    await user.open('/clinic')
    await see(user, marker='scc-triage-form')
    assert text_fields_without_maxlength(user) == []
    await sign_in_staff(user, 'doctor1')
    await user.open(f'/clinic/desk/c/{cid}')
    await see(user, marker='scc-outcome-form')
    assert text_fields_without_maxlength(user) == []
