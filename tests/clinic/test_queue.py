"""The fever clinic queue: triage checks, red flags, priority with ageing, one patient per doctor, presence."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models.clinic import ClinicConsultation, ConsultStatus
from models.common import utcnow
from services import db
from services.clinic import QUEUE_CHANGED, QueueChanged, board, queue, rules
from services.errors import DomainError
from services.events import DomainEvent, bus
from tests.support.actors import actor
from tests.support.clinic import RESIDENTS, clear_history, family_member, form, join, on_duty


def count_consultations() -> int:
    with db.read_session() as session:
        return int(session.execute(select(func.count()).select_from(ClinicConsultation)).scalar_one())


def call(doctor_name: str, now) -> int | None:  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        consult = queue.call_next(session, actor=actor(username=doctor_name), now=now)
    return consult.id if consult else None


def heartbeat(ids: list[int], now) -> None:  # type: ignore[no-untyped-def]
    with db.session_scope() as session:
        queue.heartbeat(session, consultation_ids=ids, doctor_ids=[], now=now)


def snapshot(now):  # type: ignore[no-untyped-def]
    with db.read_session() as session:
        return board.queue_snapshot(session, now=now)


@pytest.mark.parametrize(
    ('changes', 'expected'),
    [
        ({'temperature': None}, 'Please enter your temperature.'),
        ({'temperature': 45.0}, 'A body temperature is between 34.0 and 43.0 °C; please measure again.'),
        ({'onset': date.today() + timedelta(days=2)}, 'The date symptoms started cannot be in the future.'),
        ({'symptoms': ['cough', '<script>']}, 'Please choose from the list only.'),
        ({'travel': True, 'travel_detail': ' '}, 'Please fill in: Where did you travel?.'),
        ({'spo2': 20}, 'Oxygen saturation is a percentage between 50 and 100; leave it empty if unknown.'),
    ],
)
def test_triage_refuses_bad_answers_and_writes_nothing(changes: dict, expected: str) -> None:
    resident = actor(phone=RESIDENTS[0])
    before = count_consultations()
    with pytest.raises(DomainError) as refused, db.session_scope() as session:
        queue.start_consultation(session, actor=resident, form=form(resident.person_id or 0, **changes))
    assert str(refused.value) == expected
    assert count_consultations() == before


def test_a_resident_cannot_consult_for_a_stranger_nor_twice_at_once() -> None:
    resident, other = actor(phone=RESIDENTS[0]), actor(phone=RESIDENTS[1])
    now = utcnow()
    before = count_consultations()
    with pytest.raises(DomainError), db.session_scope() as session:
        queue.start_consultation(session, actor=resident, form=form(other.person_id or 0), now=now)
    join(resident, now=now)
    with pytest.raises(DomainError, match='already an open consultation'):
        join(resident, now=now)
    join(resident, now=now, person_id=family_member(resident))  # the managed father may consult too
    assert count_consultations() == before + 2


def test_red_flag_skips_the_queue_and_is_flagged_to_doctors() -> None:
    seen: list[DomainEvent[QueueChanged]] = []
    bus.subscribe(QUEUE_CHANGED, seen.append)
    now = utcnow()
    early = join(actor(phone=RESIDENTS[0]), now=now - timedelta(minutes=50), temperature=39.5, exposure=True)
    red = join(actor(phone=RESIDENTS[1]), now=now, spo2=91)  # saturation below 94 % is a red flag by itself
    assert [e.payload.reason for e in seen] == ['joined', 'red_flag']
    with db.read_session() as session:
        waiting = board.doctor_queue(session, actor=actor(username='doctor1'))
    assert [c.id for c in waiting] == [red, early]
    assert waiting[0].red_flags == ['low_spo2'] and waiting[0].severity == rules.MAX_SEVERITY
    on_duty(actor(username='doctor1'), now=now)
    assert call('doctor1', now) == red


def test_priority_by_severity_with_ageing_so_nobody_waits_for_ever() -> None:
    t0 = utcnow()
    mild = join(actor(phone=RESIDENTS[0]), now=t0, temperature=37.0, symptoms=[])  # severity 0
    sicker = join(actor(phone=RESIDENTS[1]), now=t0 + timedelta(minutes=10), temperature=39.2,
                  exposure=True)  # fmt: skip
    # Severity 10 is a 60-minute head start: someone who waited longer than that still goes first.
    late = join(actor(phone=RESIDENTS[2]), now=t0 + timedelta(minutes=61), temperature=39.5, exposure=True,
                travel=True, travel_detail='Wuhan', symptoms=['cough', 'fatigue', 'smell_taste'],
                chronic=['heart', 'lung'])  # fmt: skip
    with db.read_session() as session:
        severities = {c.id: c.severity for c in board.doctor_queue(session, actor=actor(username='doctor1'))}
    assert severities[mild] == 0 and severities[sicker] == 5 and severities[late] == 10
    now = t0 + timedelta(minutes=62)
    assert list(snapshot(now).positions) == [sicker, mild, late]
    heartbeat([mild, sicker, late], now)
    on_duty(actor(username='doctor1'), now=now)
    order = []
    for _ in range(3):
        order.append(call('doctor1', now))
        with db.session_scope() as session:  # end each consultation so the doctor can call the next
            table = ClinicConsultation.__table__  # type: ignore[attr-defined]
            session.execute(table.update().where(table.c.id == order[-1]).values(status='done', ended_at=now))
    assert order == [sicker, mild, late]


def test_call_next_needs_duty_and_one_consultation_at_a_time() -> None:
    now = utcnow()
    join(actor(phone=RESIDENTS[0]), now=now)
    join(actor(phone=RESIDENTS[1]), now=now)
    with pytest.raises(DomainError, match='go on duty'):
        call('doctor1', now)
    on_duty(actor(username='doctor1'), now=now)
    assert call('doctor1', now) is not None
    with pytest.raises(DomainError, match='finish your current consultation'):
        call('doctor1', now)


def all_at_once(doctors: list[str], now) -> tuple[dict[str, int | None], list[BaseException]]:  # type: ignore[no-untyped-def]
    """Every doctor clicks "call next" at the same instant, each in their own thread and transaction."""
    barrier = threading.Barrier(len(doctors))
    results: dict[str, int | None] = {}
    errors: list[BaseException] = []

    def click(name: str) -> None:
        try:
            barrier.wait()
            results[name] = call(name, now)
        except BaseException as error:  # noqa: BLE001 — reported to the test
            errors.append(error)

    threads = [threading.Thread(target=click, args=(name,)) for name in doctors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


@pytest.mark.parametrize('patients', [1, 3])
def test_two_doctors_calling_next_at_once_never_get_the_same_patient(patients: int) -> None:
    now = utcnow()
    ids = {join(actor(phone=RESIDENTS[i]), now=now) for i in range(patients)}
    doctors = ['doctor1', 'doctor2']
    for name in doctors:
        on_duty(actor(username=name), now=now)
    results, errors = all_at_once(doctors, now)
    assert not errors
    got = [v for v in results.values() if v is not None]
    assert len(got) == len(set(got)) == min(patients, 2)
    assert set(got) <= ids
    # Clicking again: the busy doctors are refused, an idle one finds nobody left; nobody is taken twice.
    results, errors = all_at_once(doctors, now)
    assert len(errors) == len(got) and all(isinstance(e, DomainError) for e in errors)
    assert all(v is None for v in results.values())
    with db.read_session() as session:
        table = ClinicConsultation.__table__  # type: ignore[attr-defined]
        rows = session.execute(select(table.c.doctor_account_id, func.count()).where(
            table.c.status == ConsultStatus.in_consult.value).group_by(table.c.doctor_account_id)).all()  # fmt: skip
    assert sorted(count for _doctor, count in rows) == [1] * min(patients, 2)


def test_reconnect_within_grace_keeps_the_place_and_after_grace_drops_it() -> None:
    t0 = utcnow()
    first = join(actor(phone=RESIDENTS[0]), now=t0)
    second = join(actor(phone=RESIDENTS[1]), now=t0 + timedelta(seconds=5))
    resident2 = actor(phone=RESIDENTS[1])
    # The first patient's page is gone; the second's page keeps sending heartbeats.
    for minute in (1, 2, 3, 4):
        heartbeat([second], t0 + timedelta(minutes=minute))
    with db.session_scope() as session:
        assert queue.sweep(session, now=t0 + timedelta(minutes=4, seconds=50))['dropped'] == []
    assert snapshot(t0).positions == {first: 0, second: 1}
    # Back after 4 min 50 s: same place in the queue.
    with db.session_scope() as session:
        back = queue.rejoin(session, actor=actor(phone=RESIDENTS[0]), consultation_id=first,
                            now=t0 + timedelta(minutes=4, seconds=50))  # fmt: skip
    assert back.status == ConsultStatus.waiting and snapshot(t0).positions[first] == 0
    # Gone again: past 5 minutes since last seen, the app timer's sweep drops them.
    heartbeat([second], t0 + timedelta(minutes=9))
    with db.session_scope() as session:
        swept = queue.sweep(session, now=t0 + timedelta(minutes=10))
    assert swept['dropped'] == [first]
    assert snapshot(t0).positions == {second: 0}
    # A page coming back after the grace is told it was dropped (and the queue is not rejoined).
    with db.session_scope() as session:
        late = queue.rejoin(session, actor=resident2, consultation_id=second, now=t0 + timedelta(minutes=16))
    assert late.status == ConsultStatus.dropped


def test_call_next_skips_absent_patients_who_keep_their_place() -> None:
    t0 = utcnow()
    absent = join(actor(phone=RESIDENTS[0]), now=t0)
    present = join(actor(phone=RESIDENTS[1]), now=t0)
    now = t0 + timedelta(minutes=3)
    heartbeat([present], now)
    on_duty(actor(username='doctor1'), now=now)
    assert call('doctor1', now) == present
    assert snapshot(now).positions == {absent: 0}


def test_leaving_the_queue() -> None:
    resident = actor(phone=RESIDENTS[0])
    now = utcnow()
    mine = join(resident, now=now)
    other = join(actor(phone=RESIDENTS[1]), now=now)
    with pytest.raises(DomainError), db.session_scope() as session:  # nobody else may take me out
        queue.leave_queue(session, actor=actor(phone=RESIDENTS[2]), consultation_id=mine)
    with db.session_scope() as session:
        left = queue.leave_queue(session, actor=resident, consultation_id=mine)
    assert left.status == ConsultStatus.left
    assert snapshot(now).positions == {other: 0}
    with pytest.raises(DomainError, match='no longer waiting'), db.session_scope() as session:
        queue.leave_queue(session, actor=resident, consultation_id=mine)
    join(resident, now=now)  # and may start again


def test_asked_every_20_minutes_and_worse_raises_priority() -> None:
    t0 = utcnow()
    ahead = join(actor(phone=RESIDENTS[0]), now=t0, temperature=37.6)  # severity 1
    resident = actor(phone=RESIDENTS[1])
    me = join(resident, now=t0 + timedelta(minutes=1), temperature=37.1, symptoms=[])  # severity 0
    heartbeat([ahead, me], t0 + timedelta(minutes=19))
    with db.session_scope() as session:
        assert queue.sweep(session, now=t0 + timedelta(minutes=19))['asked'] == []
    heartbeat([ahead, me], t0 + timedelta(minutes=21))
    with db.session_scope() as session:
        assert queue.sweep(session, now=t0 + timedelta(minutes=21))['asked'] == [ahead, me]
    assert snapshot(t0).positions[me] == 1
    with db.session_scope() as session:
        answered = queue.answer_worse(session, actor=resident, consultation_id=me, worse=True,
                                      now=t0 + timedelta(minutes=21))  # fmt: skip
    assert answered.worse_count == 1 and answered.severity == 2 and not answered.ask_pending
    assert snapshot(t0).positions[me] == 0  # two points (12 min) beat one point and a minute
    with pytest.raises(DomainError, match='answered already'), db.session_scope() as session:
        queue.answer_worse(session, actor=resident, consultation_id=me, worse=True, now=t0 + timedelta(minutes=22))
    heartbeat([ahead, me], t0 + timedelta(minutes=40))
    with db.session_scope() as session:  # asked again 20 minutes after the answer, not before
        assert me not in queue.sweep(session, now=t0 + timedelta(minutes=40))['asked']
        assert me in queue.sweep(session, now=t0 + timedelta(minutes=41, seconds=1))['asked']


def test_wait_estimate_is_a_range_from_doctors_on_duty_and_recent_consult_lengths() -> None:
    assert board.estimate_wait(4, 0, (5.0, 12.0)).high_minutes == 0  # no doctor: no estimate, the page says so
    estimate = board.estimate_wait(4, 2, (5.0, 12.0))
    assert (estimate.low_minutes, estimate.high_minutes) == (10, 36)
    assert board.estimate_wait(0, 1, (5.0, 12.0)).low_minutes == 0
    clear_history()  # a clinic with no finished consultations yet
    now = utcnow()
    table = ClinicConsultation.__table__  # type: ignore[attr-defined]
    ids = [join(actor(phone=p), now=now - timedelta(hours=1)) for p in RESIDENTS]
    with db.session_scope() as session:  # three finished consultations of 4, 6 and 20 minutes
        for cid, minutes in zip(ids, (4, 6, 20), strict=True):
            called = now - timedelta(minutes=30)
            session.execute(table.update().where(table.c.id == cid).values(
                status='done', called_at=called, ended_at=called + timedelta(minutes=minutes)))  # fmt: skip
    waiting = join(actor(phone=RESIDENTS[0]), now=now)
    on_duty(actor(username='doctor1'), now=now)
    snap = snapshot(now)
    assert snap.doctors_on_duty == 1 and snap.per_patient == (4.0, 20.0)
    assert snap.estimate(waiting) == board.WaitEstimate(ahead=0, low_minutes=0, high_minutes=20)
    # A doctor whose desk has been closed for more than two minutes does not count as on duty.
    assert snapshot(now + timedelta(minutes=3)).doctors_on_duty == 0


def test_a_doctor_whose_desk_pages_are_gone_goes_off_duty_after_the_grace() -> None:
    doctor = actor(username='doctor1')
    t0 = utcnow()
    on_duty(doctor, now=t0)
    with db.session_scope() as session:  # the desk is open: the presence job marks it present
        queue.heartbeat(session, consultation_ids=[], doctor_ids=[doctor.account_id], now=t0 + timedelta(minutes=1))
        assert doctor.account_id not in queue.sweep(session, now=t0 + timedelta(minutes=2))['off_duty']
    with db.read_session() as session:
        assert queue.is_on_duty(session, actor=doctor)
    # The tab is closed: no more heartbeats; past the grace the sweep takes the doctor off duty.
    with db.session_scope() as session:
        swept = queue.sweep(session, now=t0 + timedelta(minutes=1) + rules.DOCTOR_PRESENT + timedelta(seconds=1))
    assert swept['off_duty'] == [doctor.account_id]
    with db.read_session() as session:
        assert not queue.is_on_duty(session, actor=doctor)
    # Opening the desk again does not silently put them back on duty, and waits count only doctors present.
    waiting = join(actor(phone=RESIDENTS[0]), now=t0 + timedelta(minutes=5))
    with db.session_scope() as session:
        queue.heartbeat(session, consultation_ids=[waiting], doctor_ids=[doctor.account_id],
                        now=t0 + timedelta(minutes=5))  # fmt: skip
    assert snapshot(t0 + timedelta(minutes=5)).doctors_on_duty == 0
    with pytest.raises(DomainError, match='Please go on duty first.'):
        call('doctor1', t0 + timedelta(minutes=5))
