"""Domain errors carry a translatable English message (the msgid) and its parameters."""

from typing import Any


def N_(message: str) -> str:  # noqa: N802 — the conventional gettext marker name
    """Mark a string for translation without translating it here (views translate)."""
    return message


class DomainError(Exception):
    """A refusal the user should read: `message` is a msgid, `params` fill its {placeholders}."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    """The thing asked for does not exist (or the asker may not know it exists)."""


class Forbidden(DomainError):
    """The asker's role or relation does not allow this."""
