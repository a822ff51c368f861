"""Checks for what people type: clear reasons, nothing half-stored."""

import re
import unicodedata

from services.errors import N_, DomainError

PHONE_RE = re.compile(r'1[3-9][0-9]{9}')
# Names: letters of any script, the middle dot of minority and foreign names, spaces, apostrophes, hyphens.
NAME_RE = re.compile(r"[^\W\d_]+(?:[ ·'\-.][^\W\d_]+)*")
# Bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the marks (U+200E,
# U+200F, U+061C). In text shown to others they make "exe.txt" read as "txt.exe" or flip a comment's meaning, so
# names, titles, comments and chat lose them before anything else is checked.
BIDI_CONTROLS = frozenset('\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c')
_BIDI_TABLE = dict.fromkeys(map(ord, BIDI_CONTROLS))
ASCII_DIGITS = re.compile(r'[0-9]+')


def normalize_phone(raw: str) -> str:
    """A mainland mobile number: 11 digits starting 13–19."""
    value = re.sub(r'[\s-]', '', unicodedata.normalize('NFKC', raw or ''))  # full-width digits become ASCII
    if value.startswith('+86'):
        value = value[3:]
    if not value:
        raise DomainError(N_('Please enter your phone number.'))
    if not PHONE_RE.fullmatch(value):
        raise DomainError(N_('A mobile number has 11 digits and starts with 13 to 19.'))
    return value


def mask_phone(phone: str | None) -> str:
    """138****1234."""
    if not phone or len(phone) != 11:
        return ''
    return phone[:3] + '****' + phone[-4:]


def normalize_name(raw: str) -> str:
    """A real name: 1–40 letters (Chinese or other scripts), no digits or symbols."""
    value = strip_bidi(unicodedata.normalize('NFKC', raw or '')).strip()
    value = re.sub(r'\s+', ' ', value)
    if not value:
        raise DomainError(N_('Please enter the real name.'))
    if len(value) > 40:
        raise DomainError(N_('A name can have at most {limit} characters.'), limit=40)
    if not NAME_RE.fullmatch(value):
        raise DomainError(N_('A name can contain only letters, spaces and the middle dot (·).'))
    return value


def mask_name(name: str) -> str:
    """Keep the first character: 张** — what a checkpoint or pharmacist may see."""
    if not name:
        return ''
    return name[0] + '*' * max(1, min(len(name) - 1, 3))


def strip_bidi(raw: str) -> str:
    """`raw` without bidirectional control characters (BIDI_CONTROLS)."""
    return raw.translate(_BIDI_TABLE)


def clean_text(raw: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    """Free text: bidirectional controls removed, trimmed, other control characters refused, limited in length
    (stored as typed otherwise, shown escaped)."""
    value = strip_bidi(raw or '').strip()
    if required and not value:
        raise DomainError(N_('Please fill in: {field}.'), field=field)
    if len(value) > max_length:
        raise DomainError(N_('{field}: at most {limit} characters.'), field=field, limit=max_length)
    if any(unicodedata.category(c) == 'Cc' and c not in '\n\t' for c in value):
        raise DomainError(N_('{field} contains characters that cannot be stored.'), field=field)
    return value


def clean_line(raw: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    """One line of text (a title, a name of a troupe or venue, a comment): like clean_text, with every run of
    whitespace, line breaks included, made one space."""
    return clean_text(' '.join(strip_bidi(raw or '').split()), field=field, max_length=max_length, required=required)


def whole_number(raw: str | int, *, field: str, maximum: int) -> int:
    """A whole number of 0 or more typed by a person: ASCII digits only, optionally grouped by commas (1,200,000).
    `²`, `٣` or full-width digits are not numbers here: int() would take some and choke on others."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = str(raw).strip()
        if re.fullmatch(r'[0-9]{1,3}(?:,[0-9]{3})+', text):
            text = text.replace(',', '')
    if len(text) > len(str(maximum)) or not ASCII_DIGITS.fullmatch(text):
        if ASCII_DIGITS.fullmatch(text):
            raise DomainError(N_('{field}: the number is too large.'), field=field)
        raise DomainError(N_('{field}: please enter a whole number of 0 or more.'), field=field)
    value = int(text)
    if value > maximum:
        raise DomainError(N_('{field}: the number is too large.'), field=field)
    return value
