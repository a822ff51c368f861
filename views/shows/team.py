"""The console's "Organizers" panel: who runs the show; its owner (or an admin) adds and removes co-organizers."""

from nicegui import ui

from models.shows import ShowTeamPublic
from services.access import Actor
from services.shows import team
from views.kit import call
from views.kit.i18n import _


async def team_panel(actor: Actor, show_id: int) -> None:
    """The owner and co-organizers of the show; adding one by username (owner and admins only)."""
    with ui.expansion(_('Organizers'), icon='group').classes('w-full border rounded'):

        @ui.refreshable
        def members(current: ShowTeamPublic) -> None:
            with ui.column().classes('w-full gap-1 scc-team').mark('scc-team'):
                for member in current.members:
                    with ui.row().classes('items-center gap-2 scc-team-member').mark('scc-team-member'):
                        ui.label(f'{member.display_name} ({member.username})')
                        if member.owner:
                            ui.label(_('owner')).classes('text-xs text-gray-600')
                        elif current.can_manage:

                            async def remove(account_id: int = member.account_id) -> None:
                                changed = await call.attempt(team.remove_organizer, actor=actor, show_id=show_id,
                                                             account_id=account_id)  # fmt: skip
                                if changed is not None:
                                    members.refresh(changed)

                            ui.button(_('Remove'), on_click=remove).props('flat dense no-caps').mark('scc-team-remove')

        current = await call.read(team.team, actor=actor, show_id=show_id)
        members(current)
        if not current.can_manage:
            return
        with ui.row().classes('items-end gap-2'):
            username = (
                ui.input(_('Username of an organizer')).props('outlined dense maxlength=40').mark('scc-team-name')
            )

            async def add() -> None:
                changed = await call.attempt(team.add_organizer, actor=actor, show_id=show_id,
                                             username=username.value or '')  # fmt: skip
                if changed is not None:
                    username.value = ''
                    members.refresh(changed)

            ui.button(_('Add organizer'), icon='person_add', on_click=add).props('unelevated no-caps').mark(
                'scc-team-add'
            )
