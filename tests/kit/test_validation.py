"""The shared checks of what people type (services/validation.py): bidirectional controls are removed from names,
titles, comments and chat once, here, for every module; lengths and control characters as before; whole numbers
in ASCII digits only."""

import pytest

from services.errors import DomainError
from services.validation import (
    BIDI_CONTROLS,
    clean_line,
    clean_text,
    normalize_name,
    strip_bidi,
    whole_number,
)

ALL_BIDI = [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)] + ['\u200e', '\u200f',
                                                                                                  '\u061c']  # fmt: skip


def test_the_listed_controls_are_exactly_the_bidirectional_ones() -> None:
    assert set(ALL_BIDI) == BIDI_CONTROLS


@pytest.mark.parametrize('mark', ALL_BIDI, ids=[f'U+{ord(c):04X}' for c in ALL_BIDI])
def test_bidirectional_controls_are_removed(mark: str) -> None:
    spoof = f'invoice{mark}fdp.exe{mark}'
    assert strip_bidi(spoof) == 'invoicefdp.exe'
    assert clean_text(spoof, field='Comment', max_length=140) == 'invoicefdp.exe'
    assert clean_line(f' 标题{mark} 二 ', field='Title', max_length=120) == '标题 二'
    assert normalize_name(f'张{mark}伟') == '张伟'
    with pytest.raises(DomainError, match='Please fill in'):  # nothing but controls is nothing
        clean_text(mark * 3, field='Comment', max_length=140)


def test_controls_do_not_count_towards_the_length() -> None:
    assert clean_text('\u202e' * 50 + '好' * 140, field='Comment', max_length=140) == '好' * 140
    with pytest.raises(DomainError, match='at most 140'):
        clean_text('好' * 141, field='Comment', max_length=140)


def test_existing_behaviour_is_kept() -> None:
    assert clean_text('  line one\n\tline two  ', field='Advice', max_length=100) == 'line one\n\tline two'
    assert clean_text('', field='X', max_length=10, required=False) == ''
    with pytest.raises(DomainError, match='cannot be stored'):
        clean_text('bell\x07', field='Comment', max_length=140)
    with pytest.raises(DomainError, match='Please fill in'):
        clean_text('   ', field='Comment', max_length=140)
    assert normalize_name('  Anna-Maria  Müller ') == 'Anna-Maria Müller'
    assert normalize_name('阿依古丽·买买提') == '阿依古丽·买买提'
    with pytest.raises(DomainError, match='only letters'):
        normalize_name('张3')


def test_a_line_is_one_line() -> None:
    assert clean_line('a\nb\r\n  c\u2028d', field='Title', max_length=20) == 'a b c d'
    with pytest.raises(DomainError, match='cannot be stored'):
        clean_line('a\x00b', field='Title', max_length=20)


@pytest.mark.parametrize(('typed', 'value'), [('0', 0), ('42', 42), (' 1200 ', 1200), ('1,200,000', 1_200_000), (7, 7)])
def test_whole_numbers(typed: str | int, value: int) -> None:
    assert whole_number(typed, field='Views', maximum=10_000_000_000) == value


@pytest.mark.parametrize('typed', ['²', '2²', '１２', '٣', '१', '1_000', '12,34', ',100', '-1', '+1', '1.0', '1e3', '',
                                   'lots', True])  # fmt: skip
def test_anything_else_is_not_a_whole_number(typed: str | bool) -> None:
    with pytest.raises(DomainError, match='whole number'):
        whole_number(typed, field='Views', maximum=10_000_000_000)


def test_too_large_is_said_without_parsing_a_huge_number() -> None:
    with pytest.raises(DomainError, match='too large'):
        whole_number('9' * 100_000, field='Views', maximum=10_000_000_000)  # int() would refuse past 4300 digits
    with pytest.raises(DomainError, match='too large'):
        whole_number('10000000001', field='Views', maximum=10_000_000_000)
