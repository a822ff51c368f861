"""Calling services from pages: off the event loop, one unit of work each, errors shown to the user — and never for a
page whose session has ended (signed out elsewhere, account disabled or changed)."""

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from nicegui import context, core, run, ui
from nicegui.client import Client
from nicegui.slot import Slot

from services import db
from services.errors import DomainError
from views.kit.i18n import _, error_text

T = TypeVar('T')
_ended: weakref.WeakSet[Client] = weakref.WeakSet()


def end_page(client: Client) -> None:
    """The session of this page ended: every later call from it is refused."""
    _ended.add(client)


def is_ended(client: Client) -> bool:
    """Whether this page's session has ended (its calls are refused)."""
    return client in _ended


def _refuse_ended_page() -> None:
    if Slot.get_stack() and context.client in _ended:
        ui.notify(_('Your session has ended. Please sign in again.'), type='warning', position='top')
        raise asyncio.CancelledError  # the handler ends here, quietly: the page is on its way to sign-in


def _in_write_session(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    with db.session_scope() as session:
        return fn(session, **kwargs)


def _in_read_session(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    with db.read_session() as session:
        return fn(session, **kwargs)


async def _offload(fn: Callable[..., T], *args: Any) -> T:
    result = await run.io_bound(fn, *args)
    if result is None:
        task = asyncio.current_task()
        if core.app.is_stopping or (task is not None and task.cancelling()):
            # NiceGUI answers None when the app shuts down or the page build was abandoned (CancelledError from
            # 4.0 on): end the handler quietly rather than let it mistake None for a result.
            raise asyncio.CancelledError
    return result  # type: ignore[return-value]


async def write(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run service `fn(session, **kwargs)` in a committing unit of work, in a worker thread."""
    _refuse_ended_page()
    return await _offload(_in_write_session, fn, kwargs)


async def read(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run service `fn(session, **kwargs)` read-only, in a worker thread."""
    _refuse_ended_page()
    return await _offload(_in_read_session, fn, kwargs)


async def attempt(fn: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Like `write`, but a refusal becomes a notice in the user's language and None is returned."""
    try:
        return await write(fn, **kwargs)
    except DomainError as error:
        ui.notify(error_text(error), type='negative', multi_line=True, position='top')  # not under the tab bar
        return None


async def io(fn: Callable[..., T], /, *args: Any) -> T:
    """Run a blocking function (that manages its own unit of work) in a worker thread."""
    _refuse_ended_page()
    return await _offload(fn, *args)
