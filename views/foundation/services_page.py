"""The resident Services page: a tile for every service the modules offer."""

from nicegui import ui

from models.accounts import Role
from views.kit.frame import SERVICE_TILES, page
from views.kit.i18n import _


def register() -> None:
    @page('/services', roles=(Role.resident,))
    async def services_page() -> None:
        ui.label(_('Services')).classes('text-xl font-bold')
        if not SERVICE_TILES:
            ui.label(_('No services are open yet.')).classes('text-gray-600')
        with ui.grid(columns=2).classes('w-full gap-3'):
            for tile in SERVICE_TILES:
                with (
                    ui.link(target=tile.path).classes('no-underline text-black'),
                    ui.card().classes('w-full h-full items-center text-center scc-tile').mark('scc-tile'),
                ):
                    ui.icon(tile.icon, size='36px', color='primary')
                    ui.label(_(tile.label)).classes('font-bold')
                    ui.label(_(tile.description)).classes('text-xs text-gray-700')
