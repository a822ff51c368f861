"""Mainland resident ID numbers (GB 11643): validation with clear reasons, and masking for display."""

import re
import unicodedata
from datetime import date

from services.errors import N_, DomainError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = '10X98765432'
# Province-level region codes of GB/T 2260 (the first two digits of every valid region code).
PROVINCES = {
    '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
    '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
    '71', '81', '82',
}  # fmt: skip


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize_id_number(raw: str) -> str:
    """Validate an 18-digit ID number and return it upper-cased; raise DomainError saying what is wrong."""
    # NFKC: full-width digits and Ｘ from a Chinese input method become ASCII; other scripts' digits stay refused.
    value = re.sub(r'\s', '', unicodedata.normalize('NFKC', raw or '')).upper()
    if not value:
        raise DomainError(N_('Please enter the ID number.'))
    if re.fullmatch(r'[0-9]{15}', value):
        raise DomainError(N_('15-digit ID numbers are no longer accepted; please enter the 18-digit number.'))
    if not re.fullmatch(r'[0-9]{17}[0-9X]', value):
        raise DomainError(N_('An ID number has 18 characters: 17 digits, then a digit or X.'))
    region = value[:6]
    if region[:2] not in PROVINCES or region[2:4] == '00' and region[4:] != '00' or region.endswith('0000'):
        raise DomainError(N_('The region code (first 6 digits) is not a valid region.'))
    birth = birth_date_of(value)
    if birth is None:
        raise DomainError(N_('The birth date (digits 7 to 14) is not a valid date.'))
    if check_digit(value[:17]) != value[17]:
        raise DomainError(N_('The last character does not match: please check the ID number for a typo.'))
    return value


def birth_date_of(value: str) -> date | None:
    """The birth date encoded in an ID number, or None if it is not a real past date after 1900."""
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None
    if birth.year < 1900 or birth > date.today():
        return None
    return birth


def mask_id_number(value: str) -> str:
    """Show only the region and the last four characters: 370102********123X."""
    if len(value) != 18:
        return '*' * len(value)
    return value[:6] + '*' * 8 + value[-4:]
