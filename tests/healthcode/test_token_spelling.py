"""Exactly one spelling of each token verifies: every other way of writing a real token — the unused low bits of
the last base32 character set, padding, lower case, spaces, look-alike characters — is refused at the checkpoint,
and records nothing."""

import secrets
from collections.abc import Iterator

import pytest
from sqlmodel import func, select

from models.healthcode import PassRecord
from services import db
from services.healthcode import keys
from services.healthcode.tokens import _B32, PREFIX, TokenError, b32decode, split
from tests.support.healthcode import live_token, scan


@pytest.fixture(autouse=True)
def active_key(fresh_keys: None) -> Iterator[None]:
    """An active signing key in the database before each test (as after start-up)."""
    keys.ensure_key()
    yield


def canonical_b32(data: bytes) -> str:
    """RFC 4648 base32 without padding, computed independently of the code under test."""
    bits = ''.join(f'{byte:08b}' for byte in data)
    bits += '0' * (-len(bits) % 5)
    return ''.join(_B32[int(bits[i : i + 5], 2)] for i in range(0, len(bits), 5))


def spare_bits(body: str) -> int:
    return len(body) * 5 - (len(body) * 5 // 8) * 8


def other_last_characters(body: str) -> list[str]:
    """Every other spelling of `body` that differs only in the bits its last character does not use."""
    spare = spare_bits(body)
    value = _B32.index(body[-1])
    return [body[:-1] + _B32[value | low] for low in range(1, 1 << spare)]


def variants(token: str) -> dict[str, str]:
    body = token[len(PREFIX) :]
    found = {f'low bits {i + 1}': PREFIX + other for i, other in enumerate(other_last_characters(body))}
    position = next(i for i, c in enumerate(body) if c.isalpha())
    letter_o = body.find('O')
    found.update({
        'lower case': token.lower(),
        'lower-case prefix': PREFIX.lower() + body,
        'lower-case body': PREFIX + body.lower(),
        'one lower-case letter': PREFIX + body[:position] + body[position].lower() + body[position + 1 :],
        'padding to 8': token + '=' * (-len(body) % 8 or 8),
        'one padding character': token + '=',
        'space before': ' ' + token,
        'space after': token + ' ',
        'newline after': token + '\n',
        'tab before': '\t' + token,
        'space inside': PREFIX + body[:40] + ' ' + body[40:],
        'hyphen inside': PREFIX + body[:40] + '-' + body[40:],
        'zero-width space inside': PREFIX + body[:40] + '\u200b' + body[40:],
        'space after the prefix': PREFIX + ' ' + body,
        'full-width colon': 'SCC1：' + body,
        'full-width prefix': 'ＳＣＣ１:' + body,
        'full-width body letter': PREFIX + body[:10] + chr(ord(body[10]) + 0xFEE0) + body[11:]
        if body[10].isalpha() else PREFIX + body[:10] + 'Ａ' + body[11:],
        'one character more': token + 'A',
        'two characters more': token + 'AA',
        'eight characters more': token + 'A' * 8,
        'zero for the letter O': PREFIX + body.replace('O', '0', 1) if letter_o >= 0 else PREFIX + '0' + body[1:],
        'base32hex digit': PREFIX + '8' + body[1:],
    })  # fmt: skip
    return found


def passes() -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(PassRecord)).one()


def test_every_other_spelling_of_a_real_token_is_refused_at_the_checkpoint() -> None:
    token = live_token()
    body = token[len(PREFIX) :]
    assert spare_bits(body) > 0  # the issued length leaves unused bits: the spelling that was once accepted twice
    assert canonical_b32(split(token)[1] + split(token)[2]) == body  # issued canonical
    spellings = variants(token)
    assert len(spellings) >= 20 and token not in spellings.values()
    accepted = {name: verdict.result for name, text in spellings.items() if (verdict := scan(text)).result != 'refused'}
    assert accepted == {}
    assert passes() == 0  # nothing recorded for any of them
    assert scan(token, '36.5').result == 'pass'  # the one real spelling still passes
    assert passes() == 1


@pytest.mark.parametrize('size', range(1, 41))
def test_base32_has_one_spelling_for_every_length(size: int) -> None:
    data = secrets.token_bytes(size)
    body = canonical_b32(data)
    assert b32decode(body) == data
    for other in other_last_characters(body):
        with pytest.raises(TokenError):
            b32decode(other)
    for wrong in (body.lower(), body + '=', body + '=' * (-len(body) % 8), ' ' + body):
        if wrong != body:
            with pytest.raises(TokenError):
                b32decode(wrong)


def test_other_spellings_are_refused_by_the_parser_itself() -> None:
    token = live_token()
    parsed = []
    for name, text in variants(token).items():
        try:
            split(text)
        except TokenError:
            continue
        parsed.append(name)
    assert parsed == []
