"""Message catalogues (gettext .po files managed with Babel): English msgids, Simplified Chinese translations.

Every product module keeps its own catalogue, `assets/locales/zh_CN/LC_MESSAGES/<module>.po`; all are merged.
"""

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from services.settings import ROOT

LANGUAGES = ('zh-CN', 'en-US')
LOCALE_DIR = ROOT / 'assets' / 'locales'


def catalogue_files(language: str = 'zh-CN') -> list[Path]:
    """The .po files of one language."""
    return sorted((LOCALE_DIR / language.replace('-', '_') / 'LC_MESSAGES').glob('*.po'))


@lru_cache
def catalogue(language: str) -> dict[str, str]:
    """msgid → translation for `language` (English needs none: the msgids are English)."""
    messages: dict[str, str] = {}
    if language.startswith('en'):
        return messages
    for path in catalogue_files(language):
        with path.open('rb') as handle:
            for message in read_po(handle):
                if message.id and message.string and not message.fuzzy:
                    messages[str(message.id)] = str(message.string)
    return messages


def translate(language: str, message: str) -> str:
    """`message` in `language`, or the message itself when no translation exists."""
    if language.startswith('en'):
        return message
    return catalogue(language).get(message, message)


def normalize_language(value: str | None, default: str = 'zh-CN') -> str:
    """One of LANGUAGES."""
    if not value:
        return default
    return 'en-US' if value.lower().startswith('en') else 'zh-CN' if value.lower().startswith('zh') else default
