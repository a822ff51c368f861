"""Placeholder for the health code screen until M1 (issue 3) replaces this module."""

from nicegui import ui

from models.accounts import Role
from views.frame import page
from views.i18n import _


def register() -> None:
    @page('/code', roles=(Role.resident,))
    async def code_page() -> None:
        ui.label(_('Health code')).classes('text-xl font-bold')
        ui.label(_('The health code service is not open yet.')).classes('text-gray-700')
