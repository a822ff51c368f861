"""Checks for what people type: clear reasons, nothing half-stored."""

import re
import unicodedata

from services.errors import N_, DomainError

PHONE_RE = re.compile(r'1[3-9][0-9]{9}')
# Names: letters of any script, the middle dot of minority and foreign names, spaces, apostrophes, hyphens.
NAME_RE = re.compile(r"[^\W\d_]+(?:[ ·'\-.][^\W\d_]+)*")


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
    value = unicodedata.normalize('NFKC', raw or '').strip()
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


def clean_text(raw: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    """Free text: trimmed, control characters refused, limited in length (stored as typed, shown escaped)."""
    value = (raw or '').strip()
    if required and not value:
        raise DomainError(N_('Please fill in: {field}.'), field=field)
    if len(value) > max_length:
        raise DomainError(N_('{field}: at most {limit} characters.'), field=field, limit=max_length)
    if any(unicodedata.category(c) == 'Cc' and c not in '\n\t' for c in value):
        raise DomainError(N_('{field} contains characters that cannot be stored.'), field=field)
    return value
