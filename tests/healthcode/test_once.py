"""Recording a pass happens once: the checkpoint's scan and the resident's 'I passed' carry an idempotency key, so a
double submit, a second read of the same code or a retry after a dropped connection records one pass and returns
the first verdict; admins' changes and decisions likewise."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from nicegui.testing import User
from sqlmodel import func, select

from models.healthcode import ColourChange, PassRecord
from services import db
from services.errors import DomainError
from services.healthcode import admin, checkpoints, keys
from services.healthcode.checkpoints import Verdict
from tests.support.actors import actor
from tests.support.healthcode import (
    RESIDENT_PHONE,
    checkpoint_id,
    colour,
    live_token,
    make_people,
    poster,
    resident,
    scan,
    show_code_checkpoint_id,
)
from tests.support.pages import see, sign_in_resident, sign_in_staff
from tests.support.waits import wait_for

pytestmark = pytest.mark.filterwarnings('ignore')
KEY, OTHER = 'k' * 22, 'o' * 22


@pytest.fixture(autouse=True)
def active_key(fresh_keys: None) -> Iterator[None]:
    """An active signing key in the database before each test (as after start-up)."""
    keys.ensure_key()
    yield


def passes(method: str | None = None) -> int:
    with db.read_session() as session:
        query = select(func.count()).select_from(PassRecord)
        return session.exec(query.where(PassRecord.method == method) if method else query).one()


def i_passed(text: str, key: str | None) -> Verdict:
    me, pid = resident()
    with db.session_scope() as session:
        return checkpoints.show_code_pass(session, actor=me, person_id=pid, poster=text, key=key)


def test_a_scan_submitted_twice_under_one_key_records_one_pass() -> None:
    token = live_token()
    first = scan(token, '36.5', key=KEY)
    assert first.result == 'pass' and passes() == 1
    assert scan(token, '36.5', key=KEY) == first  # the retry: the first verdict, nothing recorded
    assert passes() == 1
    assert scan(token, '36.5', key=OTHER).result == 'pass'  # a new check is a new key
    assert passes() == 2


def test_twin_scans_at_the_same_moment_record_one_pass() -> None:
    token = live_token()
    barrier = threading.Barrier(6)

    def twin(_index: int) -> Verdict:
        barrier.wait()
        return scan(token, '36.6', key=KEY)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(twin, range(6)))
    assert passes() == 1
    assert all(a == answers[0] for a in answers) and answers[0].result == 'pass'


def test_a_refused_reading_keeps_the_key_free_for_the_corrected_one() -> None:
    token = live_token()
    with pytest.raises(DomainError):
        scan(token, '3.65', key=KEY)  # a typo: refused, rolled back together with the key
    assert passes() == 0
    assert scan(token, '36.5', key=KEY).temperature == 36.5
    assert passes() == 1


def test_i_passed_twice_under_one_key_records_one_pass() -> None:
    board = poster(show_code_checkpoint_id())
    first = i_passed(board, KEY)
    assert first.result == 'pass' and passes('show') == 1
    assert i_passed(board, KEY) == first
    assert passes('show') == 1
    barrier = threading.Barrier(4)

    def twin(_index: int) -> Verdict:
        barrier.wait()
        return i_passed(board, OTHER)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(twin, range(4)))
    assert passes('show') == 2 and all(a == answers[0] for a in answers)


def test_a_wrong_poster_first_then_the_right_one_under_the_same_key() -> None:
    with pytest.raises(DomainError):
        i_passed(poster(checkpoint_id()), KEY)  # a scan + temperature checkpoint: refused, nothing kept
    assert i_passed(poster(show_code_checkpoint_id()), KEY).result == 'pass'
    assert passes('show') == 1


def test_an_admins_change_and_its_approval_happen_once_per_key() -> None:
    boss, second = actor(username='admin'), actor(username='admin2')
    ids = [p.id for p in make_people(11) if p.id]

    def request() -> int:
        with db.session_scope() as session:
            return admin.request_change(session, actor=boss, kind='set_colour', colour='yellow', person_ids=ids,
                                        reason='Building under observation', key=KEY).id  # fmt: skip

    assert request() == request()
    with db.read_session() as session:
        assert session.exec(select(func.count()).select_from(ColourChange)).one() == 1
        change_id = session.exec(select(ColourChange.id)).one()
    assert change_id is not None

    def approve() -> str:
        with db.session_scope() as session:
            return admin.approve_change(session, actor=second, change_id=change_id, key=OTHER).status

    assert approve() == approve() == 'applied'  # the double tap is not refused as 'decided already'
    assert all(colour(i) == 'yellow' for i in ids)


def verdict_elements(user: User) -> set[int]:
    """The verdict on screen now (its elements are new each time one is shown)."""
    assert user.client is not None
    with user.client:
        return {e.id for e in user.find(marker='scc-verdict').elements}


async def test_the_checkpoint_page_records_a_double_read_once(user: User) -> None:
    token = live_token()
    await sign_in_staff(user, 'gate1')
    await user.open(f'/checkpoint/{checkpoint_id()}')
    await see(user, marker='scc-scanner-input')
    user.find(marker='scc-temperature').type('36.4')
    user.find(marker='scc-scanner-input').type(token).trigger('keydown.enter')
    await see(user, '通行')
    await wait_for(lambda: passes() == 1)
    shown = verdict_elements(user)
    user.find(marker='scc-scanner-input').type(token).trigger('keydown.enter')  # the scanner sends it again
    await wait_for(lambda: verdict_elements(user) not in (shown, set()))  # the (first) verdict, shown again
    assert passes() == 1
    user.find(marker='scc-temperature').type('36.9')  # a new reading: a new check of the same code
    user.find(marker='scc-scanner-input').type(token).trigger('keydown.enter')
    await wait_for(lambda: passes() == 2)


async def test_a_second_camera_read_in_the_i_passed_dialog_records_nothing_more(user: User) -> None:
    board = poster(show_code_checkpoint_id())
    await sign_in_resident(user, RESIDENT_PHONE, landing_marker='scc-home-code')
    await user.open('/code')
    await see(user, marker='scc-i-passed')
    user.find(marker='scc-i-passed').click()
    await see(user, marker='scc-scanner')
    reader = user.find(marker='scc-scanner')
    reader.trigger('scc_scan', {'detail': board})  # what the camera reports while the poster is in view
    await wait_for(lambda: passes('show') == 1)
    reader.trigger('scc_scan', {'detail': board})  # ... and once more before the dialog is gone
    await see(user, marker='scc-scanner')
    await wait_for(lambda: passes('show') == 1)
