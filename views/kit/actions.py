"""Submitting buttons as every page builds them: one idempotency key per action, disabled while it runs, and a
question first when the action cannot be undone.

    async def book(key: str) -> None:
        result = await call.attempt(booking.book, actor=actor, slot_id=slot.id, key=key)
        ...
    ActionButton(_('Confirm'), book, name='scc-confirm')

The key stays the same until the action succeeds, so a second tap (or a retry after a dropped connection) sends the
same key and the service returns the first result (services.idempotency.once); after a success the next tap is a
new action with a new key.
"""

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import context, ui

from views.kit.i18n import _

Handler = Callable[[str], Awaitable[Any]]


def new_key() -> str:
    """A fresh idempotency key (URL-safe, 22 characters)."""
    return secrets.token_urlsafe(16)


class ActionButton(ui.button):
    """A button that runs `handler(key)` once at a time; the key changes only after a run that returned a value
    other than None (None: refused or failed — the same action may be tried again with the same key)."""

    def __init__(self, text: str, handler: Handler, *, name: str = '', icon: str | None = None,
                 confirm: str = '', confirm_label: str = '') -> None:  # fmt: skip
        super().__init__(text, icon=icon, on_click=self.press)
        self._handler = handler
        self._confirm = confirm
        self._confirm_label = confirm_label or text
        self.key = new_key()
        if name:
            self.classes(name).mark(name)

    async def press(self) -> None:
        """What a click does (also for Enter in a field that submits with this button)."""
        if not self.enabled:  # a second tap that reached the server before the first's update reached the phone
            return
        self.disable()  # before the question too: a double tap must not open two questions
        try:
            if self._confirm and not await ask(self._confirm, yes=self._confirm_label):
                return
            result = await self._handler(self.key)
            if result is not None:
                self.key = new_key()
        finally:
            if not self.is_deleted:
                self.enable()


async def ask(question: str, *, yes: str, no: str = '') -> bool:
    """Ask before an action that cannot be undone; True when the person confirmed."""
    # Made at the page's root, not where the button is: the button's own container may be rebuilt meanwhile.
    with context.client.layout, ui.dialog() as dialog, ui.card().classes('scc-confirm-dialog'):
        ui.label(question).classes('text-base')
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(no or _('Back'), on_click=lambda: dialog.submit(False)).props('flat no-caps').mark(
                'scc-confirm-no'
            )
            ui.button(yes, on_click=lambda: dialog.submit(True)).props('unelevated no-caps color=negative').mark(
                'scc-confirm-yes'
            )
    answer = await dialog
    if not dialog.is_deleted:
        dialog.delete()
    return bool(answer)
