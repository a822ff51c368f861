"""Residents' fever clinic (phone): start a consultation, the household's open ones, "My consultations", Home."""

from fastapi.responses import RedirectResponse
from nicegui import ui

from models.accounts import Role
from services.access import Actor
from services.clinic import consult
from services.errors import N_
from views.clinic import visit
from views.clinic.form import triage_form
from views.clinic.record import consult_link
from views.clinic.room import status_label
from views.kit import call
from views.kit.frame import ServiceTile, add_home_section, add_service_tile, current_actor, page
from views.kit.i18n import _


def register() -> None:
    """The Services tile, the Home card and the resident's pages."""
    tile = ServiceTile('/clinic', N_('Fever clinic'), N_('See a doctor online about a fever'), 'medical_services', 30)
    add_service_tile(tile)
    add_home_section(40, home_section)

    @page('/clinic', roles=(Role.resident,))
    async def clinic_start() -> None:
        actor = current_actor()
        assert actor is not None
        ui.label(_('Online fever clinic')).classes('text-xl font-bold')
        for c in await call.read(consult.open_consultations, actor=actor):
            consult_link(c)
        await triage_form(actor)
        ui.link(_('My consultations'), '/clinic/records').classes('scc-records-link')

    @page('/clinic/current', roles=(Role.resident,))
    async def clinic_current() -> RedirectResponse:
        actor = current_actor()
        assert actor is not None
        open_ones = await call.read(consult.open_consultations, actor=actor)
        return RedirectResponse(f'/clinic/c/{open_ones[0].id}' if open_ones else '/clinic')

    @page('/clinic/records', roles=(Role.resident,))
    async def clinic_records() -> None:
        actor = current_actor()
        assert actor is not None
        ui.label(_('My consultations')).classes('text-xl font-bold')
        rows = await call.read(consult.my_consultations, actor=actor)
        if not rows:
            ui.label(_('No consultations yet.')).classes('text-gray-600')
        for c in rows:
            consult_link(c)

    visit.register()


async def home_section(actor: Actor) -> None:
    """On the resident Home: open consultations and their state."""
    open_ones = await call.read(consult.open_consultations, actor=actor)
    for c in open_ones:
        with ui.card().classes('w-full border-l-4 border-green-700 scc-home-clinic').mark('scc-home-clinic'):
            ui.label(_('Fever consultation: {name}', name=c.patient_name)).classes('font-bold')
            ui.label(status_label(c.status) + (f' · {c.doctor_name}' if c.doctor_name else ''))
            ui.link(_('Open'), f'/clinic/c/{c.id}')
