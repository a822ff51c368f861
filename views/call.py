"""Calling services from pages: off the event loop, one unit of work each, errors shown to the user."""

from collections.abc import Callable
from typing import Any, TypeVar

from nicegui import run, ui

from services import db
from services.errors import DomainError
from views.i18n import error_text

T = TypeVar('T')


def _in_write_session(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    with db.session_scope() as session:
        return fn(session, **kwargs)


def _in_read_session(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    with db.read_session() as session:
        return fn(session, **kwargs)


async def write(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run service `fn(session, **kwargs)` in a committing unit of work, in a worker thread."""
    return await run.io_bound(_in_write_session, fn, kwargs)  # type: ignore[return-value]


async def read(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run service `fn(session, **kwargs)` read-only, in a worker thread."""
    return await run.io_bound(_in_read_session, fn, kwargs)  # type: ignore[return-value]


async def attempt(fn: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Like `write`, but a refusal becomes a notice in the user's language and None is returned."""
    try:
        return await write(fn, **kwargs)
    except DomainError as error:
        ui.notify(error_text(error), type='negative', multi_line=True)
        return None


async def io(fn: Callable[..., T], /, *args: Any) -> T:
    """Run a blocking function (that manages its own unit of work) in a worker thread."""
    return await run.io_bound(fn, *args)  # type: ignore[return-value]
