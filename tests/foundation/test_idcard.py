"""Resident ID numbers (GB 11643): what is accepted, what is refused and with which message, and masking."""

from datetime import date, timedelta

import pytest

from services.errors import DomainError
from services.idcard import mask_id_number, normalize_id_number


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    """Pure functions: this module needs no database, so conftest's per-test reset is skipped (faster)."""


# The worked example printed in GB 11643-1999 itself: Beijing Chaoyang, born 1949-12-31, check character X.
STANDARD_EXAMPLE = '11010519491231002X'


def iso7064_check(first17: str) -> str:
    """The check character computed from the definition (weights 2^(17-i) mod 11), not from the app's table."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(first17))
    value = (12 - total % 11) % 11
    return 'X' if value == 10 else str(value)


def with_check(first17: str) -> str:
    return first17 + iso7064_check(first17)


def refusal(raw: str) -> str:
    with pytest.raises(DomainError) as caught:
        normalize_id_number(raw)
    return caught.value.message


def test_the_standards_example_is_valid() -> None:
    assert iso7064_check(STANDARD_EXAMPLE[:17]) == 'X'  # the independent check agrees with the standard
    assert normalize_id_number(STANDARD_EXAMPLE) == STANDARD_EXAMPLE


def test_lower_case_x_and_spaces_are_accepted() -> None:
    assert normalize_id_number(' 110105 19491231 002x ') == STANDARD_EXAMPLE


def test_full_width_characters_from_a_chinese_keyboard_are_accepted() -> None:
    full_width = STANDARD_EXAMPLE.translate(str.maketrans('0123456789X', '０１２３４５６７８９Ｘ'))
    assert normalize_id_number(full_width) == STANDARD_EXAMPLE


@pytest.mark.parametrize('first17', ['37010219850314123', '37010319900702246', '44030420001231001'])
def test_valid_numbers_with_digit_checks(first17: str) -> None:
    number = with_check(first17)
    assert normalize_id_number(number) == number


def test_bad_checksum_is_refused() -> None:
    good = with_check('37010219850314123')
    wrong_last = str((int(good[-1]) + 1) % 10) if good[-1] != 'X' else '0'
    message = refusal(good[:17] + wrong_last)
    assert message == 'The last character does not match: please check the ID number for a typo.'
    # One mistyped digit in the middle is caught too.
    typo = good[:10] + ('4' if good[10] != '4' else '5') + good[11:]
    assert refusal(typo) in (message, 'The birth date (digits 7 to 14) is not a valid date.')


@pytest.mark.parametrize(
    'birth',
    [
        '19850230',  # 30 February
        '19900229',  # 29 February of a year that is not a leap year
        '19851301',  # month 13
        '19850100',  # day 0
        '18991231',  # before 1900
        (date.today() + timedelta(days=1)).strftime('%Y%m%d'),  # born tomorrow
    ],
)
def test_bad_birth_date_is_refused(birth: str) -> None:
    number = with_check(f'370102{birth}123')  # a correct check character: the date alone is wrong
    assert refusal(number) == 'The birth date (digits 7 to 14) is not a valid date.'


def test_leap_day_of_a_leap_year_is_valid() -> None:
    number = with_check('37010220000229123')
    assert normalize_id_number(number) == number


@pytest.mark.parametrize('region', ['990102', '000000', '370000', '100102', '370012'])
def test_bad_region_is_refused(region: str) -> None:
    number = with_check(f'{region}19850314123')
    assert refusal(number) == 'The region code (first 6 digits) is not a valid region.'


def test_fifteen_digit_legacy_number_is_refused_with_its_message() -> None:
    assert refusal('370102850314123') == (
        '15-digit ID numbers are no longer accepted; please enter the 18-digit number.'
    )


@pytest.mark.parametrize('raw', ['', '   ', None])
def test_empty_is_refused(raw: str | None) -> None:
    assert refusal(raw) == 'Please enter the ID number.'  # type: ignore[arg-type]


@pytest.mark.parametrize(
    'raw',
    [
        'ABCDEFGHIJKLMNOPQR',  # letters
        '3701021985031412XX',  # X not only at the end
        '37010219850314',  # too short
        '3701021985031412345',  # too long
        '37010219850314123٩',  # an Arabic-Indic digit
        '37010219850314-123',  # a symbol
    ],
)
def test_malformed_is_refused(raw: str) -> None:
    assert refusal(raw) == 'An ID number has 18 characters: 17 digits, then a digit or X.'


def test_masking_shows_region_and_last_four_only() -> None:
    # A number for 370102 with sequence 123 whose check character is X, found with the independent check.
    birth = date(1980, 1, 1)
    while iso7064_check(f'370102{birth:%Y%m%d}123') != 'X':
        birth += timedelta(days=1)
    number = with_check(f'370102{birth:%Y%m%d}123')
    assert normalize_id_number(number) == number
    masked = mask_id_number(number)
    assert masked == '370102********123X'
    assert f'{birth:%Y%m%d}' not in masked


def test_masking_never_leaks_an_odd_value() -> None:
    assert mask_id_number('12345') == '*****'
    assert mask_id_number('') == ''
