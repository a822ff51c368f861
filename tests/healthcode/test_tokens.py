"""Signed codes: what verifies and what is refused (with the reason), through the checkpoint service."""

import base64
import time
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import select

from models.accounts import Person
from services import db
from services.errors import DomainError
from services.healthcode import checkpoints, codes, keys
from services.healthcode.tokens import PREFIX, Claims, PublicKeyInfo, TokenError, encode, split, verify
from tests.support.actors import actor
from tests.support.healthcode import live_token, resident, scan


@pytest.fixture(autouse=True)
def active_key(fresh_keys: None) -> Iterator[None]:
    """An active signing key in the database before each test (as after start-up)."""
    keys.ensure_key()
    yield


def raw_bytes(token: str) -> bytearray:
    body = token[len(PREFIX) :]
    return bytearray(base64.b32decode(body + '=' * (-len(body) % 8)))


def text_of(raw: bytes | bytearray) -> str:
    return PREFIX + base64.b32encode(bytes(raw)).decode().rstrip('=')


def test_valid_green_code_passes_and_is_small() -> None:
    token = live_token()
    assert token.startswith('SCC1:') and len(token) < 200
    assert set(token[5:]) <= set('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')  # QR alphanumeric mode
    verdict = scan(token, '36.5')
    assert (verdict.result, verdict.colour, verdict.masked_name) == ('pass', 'green', '张*')
    assert '张伟' not in token and '13800000001' not in token


def test_forged_signature_is_refused() -> None:
    raw = raw_bytes(live_token())
    raw[-1] ^= 0x01
    verdict = scan(text_of(raw))
    assert verdict.result == 'refused' and 'signature' in verdict.reason


def test_tampered_colour_is_refused() -> None:
    me, pid = resident()
    with db.session_scope() as session:  # make the person red, then try to pass with a token "re-coloured" green
        checkpoints.record_temperature(session, person_id=pid, celsius='39.0', place='x')
    with db.read_session() as session:
        code = codes.issue_code(session, actor=me, person_id=pid)
    assert code.colour == 'yellow'
    raw = raw_bytes(code.token)
    assert raw[6] == 1  # the colour byte (version, kind, kid x4, colour): yellow
    raw[6] = 0  # green
    verdict = scan(text_of(raw))
    assert verdict.result == 'refused' and 'Forged' in verdict.reason


def test_wrong_key_id_and_foreign_key_are_refused() -> None:
    claims, _payload, _sig = split(live_token())
    foreign = Ed25519PrivateKey.generate()
    unknown_kid = encode(Claims(**{**claims.__dict__, 'kid': 'deadbeef'}), foreign)
    assert 'Unknown signing key' in scan(unknown_kid).reason
    same_kid_other_key = encode(claims, foreign)
    assert 'signature' in scan(same_kid_other_key).reason


def test_revoked_key_stops_verifying_and_a_new_key_signs() -> None:
    token = live_token()
    old_kid = split(token)[0].kid
    with db.session_scope() as session:
        keys.revoke_key(session, actor=actor(username='admin'), kid=old_kid)
    verdict = scan(token)
    assert verdict.result == 'refused' and 'revoked' in verdict.reason
    fresh = live_token()
    assert split(fresh)[0].kid != old_kid and scan(fresh).result == 'pass'
    with db.read_session() as session:
        published = keys.key_set(session)
    assert {k['kid']: k['status'] for k in published['keys']}[old_kid] == 'revoked'
    assert all('private' not in str(k).lower() and 'd' not in k for k in published['keys'])


def test_expired_and_future_tokens_are_refused_with_tolerance() -> None:
    key = Ed25519PrivateKey.generate()
    keyset = {'0a0b0c0d': PublicKeyInfo(key.public_key())}
    now = int(time.time())

    def make(iat: int, exp: int) -> str:
        return encode(Claims('C', '0a0b0c0d', 'green', iat, exp, '00' * 6, 'subject'), key)

    assert verify(make(now - 80, now - 20), keyset, now).subject == 'subject'  # within 30 s tolerance
    with pytest.raises(TokenError, match='expired'):
        verify(make(now - 100, now - 31), keyset, now)
    assert verify(make(now + 30, now + 90), keyset, now)
    with pytest.raises(TokenError, match='future'):
        verify(make(now + 31, now + 91), keyset, now)


@pytest.mark.parametrize('text', ['', 'hello', 'SCC1:', 'SCC1:!!!!', 'SCC1:' + 'A' * 60, 'SCC1:' + 'B' * 10_000,
                                  'x' * 10_000, 'SCC1:MFRGG===', '\x00\x01'])  # fmt: skip
def test_garbage_is_refused_with_a_reason(text: str) -> None:
    verdict = scan(text)
    assert verdict.result == 'refused' and verdict.reason


def test_short_code_passes_once_issued() -> None:
    me, pid = resident()
    with db.session_scope() as session:
        short = codes.new_short_code(session, actor=me, person_id=pid)
    assert len(short) == 8
    assert scan(short.lower()).result == 'pass'
    assert scan('ZZZZ2222').result == 'refused'


def test_paper_code_for_family_member_and_revocation() -> None:
    me, _pid = resident()
    with db.read_session() as session:
        father = session.exec(select(Person).where(Person.real_name == '张建国')).one()
    assert father.id is not None
    with db.session_scope() as session:
        paper = codes.issue_paper_code(session, actor=me, person_id=father.id)
    verdict = scan(paper.token)
    assert verdict.result == 'pass' and 'ID card' in verdict.reason
    with db.session_scope() as session:
        codes.revoke_paper_code(session, actor=me, paper_id=paper.id)
    verdict = scan(paper.token)
    assert verdict.result == 'refused' and 'revoked' in verdict.reason


def test_other_residents_cannot_issue_my_code() -> None:
    other = actor(phone='13800000002')
    _me, pid = resident()
    with pytest.raises(DomainError), db.read_session() as session:
        codes.issue_code(session, actor=other, person_id=pid)


def test_keys_survive_a_restart_and_rotation_keeps_old_codes_valid() -> None:
    token = live_token()
    kid = split(token)[0].kid
    keys.forget()  # what a restarted process knows: only the database
    with db.read_session() as session:
        assert keys.signing_key(session).kid == kid
    assert scan(token).result == 'pass'
    with db.session_scope() as session:
        new_kid = keys.rotate_key(session, actor=actor(username='admin'))
    fresh = live_token()
    assert split(fresh)[0].kid == new_kid != kid
    assert scan(token).result == 'pass' and scan(fresh).result == 'pass'
