"""Per-client translation: `_()` speaks the language of the browser tab it renders for."""

import weakref
from typing import Any

from nicegui import context
from nicegui.client import Client

from services.errors import DomainError
from services.i18n import normalize_language, translate
from services.settings import settings

_client_language: weakref.WeakKeyDictionary[Client, str] = weakref.WeakKeyDictionary()


def set_language(client: Client, language: str) -> None:
    """Remember the language of one client (set when its page is built)."""
    _client_language[client] = normalize_language(language, settings.default_language)


def language() -> str:
    """The language of the client in whose context this runs."""
    try:
        client = context.client
    except RuntimeError:
        return settings.default_language
    return _client_language.get(client, settings.default_language)


def is_zh() -> bool:
    """True when the current client reads Chinese."""
    return language().startswith('zh')


def _(message: str, **params: Any) -> str:
    """Translate `message` for the current client and fill its {placeholders}."""
    text = translate(language(), message)
    return text.format(**params) if params else text


def pick(zh: str, en: str) -> str:
    """Choose between a Chinese and an English text stored in data (notices, titles)."""
    return zh if is_zh() else en


def error_text(error: DomainError) -> str:
    """A domain error in the current client's language (string parameters are translated too)."""
    lang = language()
    params = {k: translate(lang, v) if isinstance(v, str) else v for k, v in error.params.items()}
    text = translate(lang, error.message)
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError):
        return text
