"""In the consult room: chat in order, escaped, limited; the outcome reaches the health code; records; figures."""

from datetime import timedelta

import pytest
from nicegui.testing import User

from models.clinic import ConsultStatus
from models.common import utcnow
from services import db
from services.clinic import CHAT_POSTED, ChatPosted, consult, queue, referral, stats
from services.errors import DomainError
from services.events import DomainEvent, bus
from services.healthcode import CODE_CHANGED, CodeChanged, current_colour
from tests.support.actors import actor
from tests.support.clinic import RESIDENTS, clear_history, join, on_duty


def start_consult(resident_phone: str = RESIDENTS[0], doctor: str = 'doctor1') -> int:
    now = utcnow()
    consultation_id = join(actor(phone=resident_phone), now=now)
    on_duty(actor(username=doctor), now=now)
    with db.session_scope() as session:
        called = queue.call_next(session, actor=actor(username=doctor), now=now)
    assert called is not None and called.id == consultation_id
    return consultation_id


def send(who, consultation_id: int, body: str, now=None):  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        return consult.send_message(session, actor=who, consultation_id=consultation_id, body=body, now=now)


def finish(consultation_id: int, outcome: str, clinic_code: str = '', doctor: str = 'doctor1'):  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        return consult.finish(session, actor=actor(username=doctor), consultation_id=consultation_id,
                              outcome=outcome, advice='Rest and drink water.', clinic_code=clinic_code)  # fmt: skip


def test_chat_is_stored_and_delivered_in_order_to_both_sides() -> None:
    cid = start_consult()
    delivered: list[DomainEvent[ChatPosted]] = []
    bus.subscribe(CHAT_POSTED, delivered.append)
    resident, doctor = actor(phone=RESIDENTS[0]), actor(username='doctor1')
    send(resident, cid, 'Hello doctor, I have a fever.')
    send(doctor, cid, 'How long have you had it?')
    send(resident, cid, 'Since yesterday.')
    expected = ['Hello doctor, I have a fever.', 'How long have you had it?', 'Since yesterday.']
    assert [e.payload.message.body for e in delivered] == expected
    assert {e.key for e in delivered} == {str(cid)}
    assert [e.payload.message.from_doctor for e in delivered] == [False, True, False]
    for reader in (resident, doctor):
        with db.read_session() as session:
            assert [m.body for m in consult.messages(session, actor=reader, consultation_id=cid)] == expected


def test_chat_is_length_limited_rate_limited_and_private() -> None:
    cid = start_consult()
    resident = actor(phone=RESIDENTS[0])
    with pytest.raises(DomainError, match='at most 500'):
        send(resident, cid, 'x' * 501)
    with pytest.raises(DomainError, match='Please fill in'):
        send(resident, cid, '   ')
    now = utcnow()
    for i in range(5):
        send(resident, cid, f'message {i}', now=now)
    with pytest.raises(DomainError, match='too fast'):
        send(resident, cid, 'one too many', now=now + timedelta(seconds=1))
    send(actor(username='doctor1'), cid, 'The doctor is not limited by the resident.', now=now)
    send(resident, cid, 'after a pause', now=now + timedelta(seconds=11))
    with pytest.raises(DomainError):  # another resident
        send(actor(phone=RESIDENTS[1]), cid, 'let me in')
    with pytest.raises(DomainError):  # another doctor
        send(actor(username='doctor2'), cid, 'let me in')
    with db.read_session() as session:
        assert len(consult.messages(session, actor=resident, consultation_id=cid)) == 7


def test_chat_opens_only_during_the_consultation() -> None:
    resident = actor(phone=RESIDENTS[0])
    waiting = join(resident, now=utcnow())
    with pytest.raises(DomainError, match='only while the consultation is in progress'):
        send(resident, waiting, 'hello?')


async def test_chat_text_is_shown_as_text_never_as_html(user: User) -> None:
    from views.clinic.room import chat_bubble

    cid = start_consult()
    message = send(actor(phone=RESIDENTS[0]), cid, '<img src=x onerror=alert(1)><script>alert(2)</script>')
    await user.open('/login')  # any page, to have a client to render into
    with user.client:  # type: ignore[union-attr]
        label = chat_bubble(message, mine=True)
    assert label.text == '<img src=x onerror=alert(1)><script>alert(2)</script>'
    assert type(label).__name__ == 'Label'  # ui.label renders text content, not markup


@pytest.mark.parametrize(('outcome', 'colour'), [('home_isolation', 'yellow'), ('suspected', 'red'),
                                                 ('self_care', 'green')])  # fmt: skip
def test_outcome_changes_the_health_code_in_the_same_commit(outcome: str, colour: str) -> None:
    cid = start_consult()
    resident = actor(phone=RESIDENTS[0])
    changed: list[DomainEvent[CodeChanged]] = []
    bus.subscribe(CODE_CHANGED, changed.append)
    with db.read_session() as session:
        assert current_colour(session, person_id=resident.person_id or 0) == 'green'
    done = finish(cid, outcome)
    assert done.status == ConsultStatus.done and done.outcome == outcome
    with db.read_session() as session:
        assert current_colour(session, person_id=resident.person_id or 0) == colour
        records = consult.my_consultations(session, actor=resident)
    assert records[0].id == cid and records[0].advice == 'Rest and drink water.'
    assert bool(changed) == (colour != 'green')
    assert all(e.payload.colour == colour for e in changed)
    with pytest.raises(DomainError, match='ended already'):
        finish(cid, outcome)


def test_a_failed_outcome_changes_nothing() -> None:
    cid = start_consult()
    with pytest.raises(DomainError, match='choose a fever clinic'):
        finish(cid, 'offline_clinic', clinic_code='nowhere')
    with pytest.raises(DomainError, match='choose an outcome'):
        finish(cid, 'go_away')
    with pytest.raises(DomainError, match='another doctor'):
        finish(cid, 'self_care', doctor='doctor2')
    with db.read_session() as session:
        assert (
            consult.consultation(session, actor=actor(phone=RESIDENTS[0]), consultation_id=cid).status == 'in_consult'
        )
        assert current_colour(session, person_id=actor(phone=RESIDENTS[0]).person_id or 0) == 'green'


def test_referral_qr_carries_the_triage_summary() -> None:
    cid = start_consult()
    done = finish(cid, 'offline_clinic', clinic_code='qilu')
    assert done.referral_token and done.clinic_code == 'qilu'
    text = referral.referral_text(done)
    assert f'consultation={cid}' in text and 'temperature=37.8' in text and 'symptoms=cough' in text
    assert '张' in text and '张伟' not in text  # the patient's name is masked
    assert referral.referral_qr_data_url(done).startswith('data:image/svg+xml;base64,')


def test_admin_figures() -> None:
    clear_history()
    now = utcnow()
    cid = start_consult()
    finish(cid, 'self_care')
    gone = join(actor(phone=RESIDENTS[1]), now=now)
    with db.session_scope() as session:
        queue.leave_queue(session, actor=actor(phone=RESIDENTS[1]), consultation_id=gone)
    join(actor(phone=RESIDENTS[2]), now=now - timedelta(minutes=45))
    with db.read_session() as session:
        figures = stats.clinic_stats(session, actor=actor(username='admin'), now=now)
    assert figures.waiting == 1
    assert figures.abandonment_rate == 0.5
    assert figures.p90_wait_minutes is not None and figures.p90_wait_minutes >= 45 and figures.warn
    assert [d.consultations for d in figures.doctors] == [1]
    with pytest.raises(DomainError), db.read_session() as session:
        stats.clinic_stats(session, actor=actor(username='doctor1'))


def test_demo_city_has_clinic_history() -> None:
    with db.read_session() as session:
        mine = consult.my_consultations(session, actor=actor(phone=RESIDENTS[0]))
        figures = stats.clinic_stats(session, actor=actor(username='admin'))
    assert len(mine) >= 3 and any(c.patient_name == '张建国' for c in mine)  # the managed father's too
    assert {d.consultations for d in figures.doctors} and figures.median_wait_minutes is not None
    assert figures.abandonment_rate is not None and figures.waiting == 0


def test_chronic_conditions_are_remembered_for_the_next_form() -> None:
    resident = actor(phone=RESIDENTS[0])
    join(resident, now=utcnow(), chronic=['diabetes', 'heart'])
    with db.read_session() as session:
        known = consult.known_chronic(session, actor=resident, person_id=resident.person_id or 0)
    assert known == ['heart', 'diabetes']
    with pytest.raises(DomainError), db.read_session() as session:
        consult.known_chronic(session, actor=actor(phone=RESIDENTS[1]), person_id=resident.person_id or 0)
