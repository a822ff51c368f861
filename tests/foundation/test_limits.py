"""Sign-in limits that cannot be turned against people (issue 10, items 4–7), on the real database: the try limit of
a one-time code holds against guesses sent at the same moment from many connections; code requests are limited per
client address and per browser session; wrong staff passwords make the next try wait, growing, instead of locking the
account — so a stranger cannot keep staff out; unknown usernames cost one password check like known ones; admins are
alerted and can lift a wait; on /admin/accounts "Enable" enables."""

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from argon2 import extract_parameters
from nicegui import ui
from nicegui.testing import User
from sqlmodel import col, select

from models.accounts import Account, AuditEntry, OneTimeCode
from services import db, passwords
from services.errors import DomainError, Forbidden
from services.foundation import auth, limits
from services.settings import settings
from tests.support.actors import DEMO_PASSWORD, actor, admin, shift_codes
from tests.support.foundation import (
    PHONE,
    account_id,
    ask,
    ask_refused,
    at_once,
    shift_failures,
    staff_sign_in,
    verify,
)
from tests.support.pages import see, sign_in_staff
from tests.support.waits import wait_for

STRANGER = '203.0.113.9'  # a guesser somewhere on the internet
CHECKPOINT = '10.20.0.5'  # where gate1 signs in every day
CLINIC = '10.30.0.7'  # where doctor1 signs in every day
WRONG = 'Wrong username or password.'
WAIT = 'Wait {seconds} s before the next try.'
TOO_MANY_TRIES = 'Too many wrong tries for this code; please ask for a new one.'
NO_OPEN_CODE = 'There is no open code for this phone; please ask for a code.'
PER_ADDRESS = 'Too many codes were asked for from your network in the last hour; please try again in {minutes} min.'
PER_SESSION = (
    'This browser asked for codes for {limit} different phones in the last hour; please try again in {minutes} min.'
)


@pytest.fixture(autouse=True)
def steady_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """A first wait of 30 s instead of 1 s: what these tests see never depends on how fast a loaded machine runs."""
    monkeypatch.setattr(settings, 'login_delay_seconds', 30.0)


FIRST_WAIT = 30


def wrong(code: str) -> str:
    return f'{(int(code) + 1) % 10**6:06d}'


def phones(count: int, block: int = 1) -> list[str]:
    return [f'139{block:04d}{n:04d}' for n in range(count)]


def audit(action: str) -> list[AuditEntry]:
    with db.read_session() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))))


def outcome(call: Callable[[], object]) -> str:
    """'ok', or the message of the refusal."""
    try:
        call()
    except DomainError as error:
        return error.message
    return 'ok'


def label(result: object) -> str:
    """'ok', or the message of the refusal returned by at_once."""
    return result.message if isinstance(result, DomainError) else 'ok'


def refusal(username: str, password: str, address: str = '') -> DomainError:
    found, error = staff_sign_in(username, password, address=address)
    assert found is None and error is not None
    return error


def guess(username: str, address: str) -> str:
    """One wrong password, after whatever wait is in force has passed: each guess is checked."""
    shift_failures(timedelta(seconds=limits.MAX_WAIT_S + 1))
    return refusal(username, 'guess-password', address).message


# -- one-time codes: the try limit under guesses sent at once -------------------------------------------------------


def test_twenty_wrong_guesses_at_once_check_at_most_five() -> None:
    """Was (PostgreSQL): up to 12 of 20 simultaneous guesses were checked, and "3 tries left" was shown five times."""
    code = ask()
    results = at_once(20, lambda s, _i: auth.verify_code(s, phone=PHONE, code=wrong(code)))
    errors = [error for found, error in results if found is None and error is not None]  # type: ignore[misc]
    assert len(errors) == 20
    messages = Counter(error.message for error in errors)
    lefts = sorted(e.params['left'] for e in errors if e.message == 'Wrong code; {left} tries left.')
    assert lefts == [1, 2, 3, 4]  # each count once, and right
    assert messages[TOO_MANY_TRIES] == 16  # the fifth checked guess, and 15 never compared
    assert len(audit('signin.failed')) == settings.otp_max_attempts  # exactly five were compared
    with db.read_session() as session:
        assert session.exec(select(OneTimeCode.attempts)).one() == settings.otp_max_attempts
    found, error = verify(code)  # the right code does not help any more
    assert found is None and error is not None and error.message == TOO_MANY_TRIES


def test_the_right_code_sent_at_once_from_five_connections_signs_in_once() -> None:
    code = ask()
    results = at_once(5, lambda s, _i: auth.verify_code(s, phone=PHONE, code=code))
    assert sum(found is not None for found, _error in results) == 1  # type: ignore[misc]
    assert [e.message for _f, e in results if e is not None] == [NO_OPEN_CODE] * 4  # type: ignore[misc]
    with db.read_session() as session:
        assert len(session.exec(select(Account).where(Account.phone == PHONE)).all()) == 1
    assert len(audit('signin')) == 1


# -- one-time codes: who may ask ----------------------------------------------------------------------------------


def test_one_address_gets_its_hourly_codes_for_any_phones_and_no_more() -> None:
    limit = settings.otp_per_address_hour
    numbers = phones(limit + 2)
    for phone in numbers[:limit]:
        ask(phone, address=STRANGER)
    error = ask_refused(numbers[limit], address=STRANGER)
    assert error.message == PER_ADDRESS and 1 <= error.params['minutes'] <= 60
    ask(numbers[limit], address='198.51.100.20')  # another address is not held up
    for phone in numbers[:limit]:
        shift_codes(timedelta(minutes=61), phone)
    ask(numbers[limit + 1], address=STRANGER)  # an hour later it may ask again


def test_one_browser_session_gets_codes_for_three_phones_an_hour() -> None:
    """Was: one browser session got codes for 12 different phones in 6 s."""
    numbers = phones(12, block=2)
    outcomes = [outcome(lambda p=phone: ask(p, browser='browser-a')) for phone in numbers]  # type: ignore[misc]
    limit = settings.otp_phones_per_session_hour
    assert outcomes == ['ok'] * limit + [PER_SESSION] * (12 - limit)
    error = ask_refused(numbers[-1], browser='browser-a')
    assert error.params['limit'] == limit and 1 <= error.params['minutes'] <= 60
    shift_codes(timedelta(minutes=2), numbers[0])
    ask(numbers[0], browser='browser-a')  # a phone it asked for already: only that phone's own limits apply
    ask(numbers[5], browser='browser-b')  # another browser is not held up
    for phone in numbers[:limit]:
        shift_codes(timedelta(minutes=61), phone)
    ask(numbers[6], browser='browser-a')


def test_requests_sent_at_once_are_counted_one_after_the_other() -> None:
    results = at_once(10, lambda s, _i: auth.request_code(s, phone=PHONE))
    assert Counter(label(r) for r in results)['ok'] == 1  # one code (one text message) a minute, however sent
    numbers = phones(12, block=3)
    results = at_once(12, lambda s, i: auth.request_code(s, phone=numbers[i], browser_key='browser-c'))
    limit = settings.otp_phones_per_session_hour
    assert Counter(label(r) for r in results) == {'ok': limit, PER_SESSION: 12 - limit}
    with db.read_session() as session:
        assert len(session.exec(select(OneTimeCode)).all()) == 1 + settings.otp_phones_per_session_hour


def test_addresses_are_counted_as_one_client() -> None:
    key = limits.address_key
    assert key('2001:db8:5:6:aaaa::1') == key('2001:db8:5:6::2') != key('2001:db8:5:7::1')  # one /64, one client
    assert key('::ffff:198.51.100.7') == key(' 198.51.100.7 ') == '198.51.100.7'
    assert key('') == '' and key('testclient') == 'testclient'
    assert limits.session_tag('abc') != 'abc' and len(limits.session_tag('abc')) == 32 and limits.session_tag('') == ''


# -- staff passwords: waits instead of lock-outs ------------------------------------------------------------------


def test_a_stranger_cannot_keep_staff_out() -> None:
    """Was: 5 wrong passwords from anyone locked any staff account for 15 minutes, again and again."""
    assert staff_sign_in('gate1', DEMO_PASSWORD, address=CHECKPOINT)[1] is None  # gate1's own place
    for _ in range(15):
        assert guess('gate1', STRANGER) == WRONG
    error = refusal('gate1', DEMO_PASSWORD, STRANGER)
    assert error.message == WAIT and error.params['seconds'] == limits.MAX_WAIT_S  # the guesser waits 15 min
    found, refused = staff_sign_in('gate1', DEMO_PASSWORD, address=CHECKPOINT)
    assert refused is None and found is not None  # gate1 at the checkpoint is not held up at all
    with db.read_session() as session:
        gate = session.exec(select(Account).where(Account.username == 'gate1')).one()
    assert gate.active and gate.locked_until is None


def test_waits_double_from_the_sixth_try_and_stop_growing_at_fifteen_minutes() -> None:
    for _ in range(settings.login_max_failures):
        assert refusal('doctor1', 'guess-password', STRANGER).message == WRONG
    seen = []
    for _ in range(13):
        error = refusal('doctor1', 'guess-password', STRANGER)  # refused before any check
        assert error.message == WAIT
        seen.append(error.params['seconds'])
        shift_failures(timedelta(seconds=error.params['seconds']))
        assert refusal('doctor1', 'guess-password', STRANGER).message == WRONG  # then checked
    delay = settings.login_delay_seconds
    assert seen == [min(int(delay * 2**n), int(limits.MAX_WAIT_S)) for n in range(13)]
    assert seen[-1] == limits.MAX_WAIT_S


def test_guesses_spread_over_many_addresses_slow_only_new_places() -> None:
    assert staff_sign_in('doctor1', DEMO_PASSWORD, address=CLINIC)[1] is None
    for n in range(limits.ACCOUNT_FREE_FAILURES):
        assert refusal('doctor1', 'guess-password', f'198.51.100.{n + 10}').message == WRONG
    error = refusal('doctor1', DEMO_PASSWORD, '198.51.100.200')
    assert error.message == WAIT and error.params['seconds'] == FIRST_WAIT
    alerts = [e for e in audit(limits.ALERT) if 'several addresses' in e.detail]
    assert [e.target for e in alerts] == [f'account:{account_id("doctor1")}']
    found, refused = staff_sign_in('doctor1', DEMO_PASSWORD, address=CLINIC)  # its own place: no wait
    assert refused is None and found is not None


def test_one_address_guessing_many_usernames_waits() -> None:
    limit = settings.login_failures_per_address_hour
    names = ['admin', 'doctor1', 'gate1', 'organizer1'] + [f'guess{n}' for n in range(limit - 4)]
    for name in names:
        assert refusal(name, 'guess-password', STRANGER).message == WRONG
    error = refusal('pharma1', DEMO_PASSWORD, STRANGER)
    assert error.message == WAIT and error.params['seconds'] == FIRST_WAIT
    assert [e.target for e in audit(limits.ALERT)] == [f'address:{STRANGER}']
    assert staff_sign_in('pharma1', DEMO_PASSWORD, address='10.40.0.2')[1] is None  # elsewhere: no wait
    shift_failures(timedelta(minutes=61))
    assert staff_sign_in('pharma1', DEMO_PASSWORD, address=STRANGER)[1] is None


def test_password_tries_sent_at_once_are_counted_one_after_the_other() -> None:
    results = at_once(
        12, lambda s, _i: auth.password_sign_in(s, username='doctor1', password='guess', client_address=STRANGER)
    )
    messages = Counter(error.message for _found, error in results if error is not None)  # type: ignore[misc]
    assert messages == {WRONG: settings.login_max_failures, WAIT: 12 - settings.login_max_failures}


def test_unknown_usernames_wait_like_known_ones() -> None:
    for name in ('doctor1', 'nobody'):
        messages = [refusal(name, 'guess-password', STRANGER).message for _ in range(6)]
        assert messages == [WRONG] * settings.login_max_failures + [WAIT], name


@pytest.mark.parametrize(
    ('username', 'password'),
    [('doctor1', 'guess-password'), ('nobody', 'guess-password'), ('ad\x00min', 'guess-password'),
     ('x' * 41, 'guess-password'), ('doctor1', 'p' * 201)],
)  # fmt: skip
def test_every_wrong_sign_in_costs_one_password_check(
    username: str, password: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was: an unknown user answered in 219–412 ms, a known one with a wrong password in 493–905 ms."""
    checked: list[str] = []
    real = passwords.verify_password

    def counting(password_hash: str | None, given: str) -> bool:
        checked.append(password_hash or '')
        return real(password_hash, given)

    monkeypatch.setattr(passwords, 'verify_password', counting)
    assert refusal(username, password, STRANGER).message == WRONG
    with db.read_session() as session:
        known = session.exec(select(Account.password_hash).where(Account.username == 'doctor1')).one()
    assert known is not None
    assert len(checked) == 1  # one argon2 check, with the same cost parameters as a real account's hash
    assert extract_parameters(checked[0]) == extract_parameters(known)


# -- the admin: alerts, lifting a wait, enabling ------------------------------------------------------------------


def test_an_admin_is_alerted_and_lifts_a_wait() -> None:
    for _ in range(settings.login_max_failures):
        refusal('doctor1', 'guess-password', STRANGER)
    assert refusal('doctor1', DEMO_PASSWORD, STRANGER).message == WAIT
    boss, doctor_id = admin(), account_id('doctor1')
    with db.read_session() as session:
        alerts = auth.sign_in_alerts(session, actor=boss)
        staff = {a.username: a for a in auth.list_staff(session, actor=boss)}
    assert [a.target for a in alerts] == [f'account:{doctor_id}'] and STRANGER in alerts[0].detail
    assert staff['doctor1'].slowed and staff['doctor1'].failed_logins == 5 and staff['doctor1'].active
    assert not staff['gate1'].slowed
    with pytest.raises(Forbidden), db.session_scope() as session:
        auth.lift_wait(session, actor=actor(username='doctor1'), account_id=doctor_id)
    with db.session_scope() as session:
        lifted = auth.lift_wait(session, actor=boss, account_id=doctor_id)
    assert not lifted.slowed and lifted.failed_logins == 0
    assert [e.target for e in audit('account.wait_lifted')] == [f'account:{doctor_id}']
    found, error = staff_sign_in('doctor1', DEMO_PASSWORD, address=STRANGER)  # checked at once
    assert error is None and found is not None


def test_old_failure_times_are_purged() -> None:
    refusal('doctor1', 'guess-password', STRANGER)
    with db.session_scope() as session:
        assert auth.purge_sign_in_failures(session) == 0
    shift_failures(limits.FAILURE_WINDOW + timedelta(minutes=1))
    with db.session_scope() as session:
        assert auth.purge_sign_in_failures(session) == 1


def button_text(user: User, marker: str) -> str:
    element = user.find(marker=marker).elements.pop()
    assert isinstance(element, ui.button)
    return element.text


def is_active(username: str) -> bool:
    with db.read_session() as session:
        return session.exec(select(Account.active).where(Account.username == username)).one()


async def test_the_accounts_page_enables_lifts_and_warns(user: User) -> None:
    """Was: the "Enable" button of a locked account disabled it."""
    with db.session_scope() as session:
        auth.set_active(session, actor=admin(), account_id=account_id('gate1'), active=False)
    for _ in range(settings.login_max_failures):
        refusal('doctor1', 'guess-password', STRANGER)
    await sign_in_staff(user, 'admin')
    await user.open('/admin/accounts')
    await see(user, marker='scc-signin-alerts')
    await see(user, '过去 24 小时内多次登录失败')
    await see(user, '已减速：连续 5 次密码错误')
    assert button_text(user, 'scc-toggle-doctor1') == '停用'  # slowed, yet active: nothing to enable
    assert button_text(user, 'scc-toggle-gate1') == '启用'
    user.find(marker='scc-toggle-gate1').click()
    await wait_for(lambda: is_active('gate1'))
    await see(user, marker='scc-toggle-gate1', content='停用')
    user.find(marker='scc-lift-doctor1').click()
    await see(user, '该账号的下一次登录将立即校验。')
    assert is_active('doctor1')
    found, error = staff_sign_in('doctor1', DEMO_PASSWORD, address=STRANGER)
    assert error is None and found is not None
