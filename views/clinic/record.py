"""What a resident keeps of a consultation: a link card, the record (outcome, advice, referral) and the code colour."""

from nicegui import ui

from models.clinic import ClinicConsultationPublic
from services import healthcode
from services.access import Actor
from services.clinic import referral, rules
from services.clinic.clinics import clinic
from services.errors import N_
from services.foundation import people
from services.healthcode import CODE_CHANGED, CodeChanged
from views.clinic.room import local, status_label
from views.kit import call, live
from views.kit.i18n import _, pick

COLOURS = {'green': (N_('Green'), 'bg-green-600'), 'yellow': (N_('Yellow'), 'bg-yellow-400'),
           'red': (N_('Red'), 'bg-red-700')}  # fmt: skip


def consult_link(c: ClinicConsultationPublic) -> None:
    """A card linking to one consultation."""
    with (
        ui.link(target=f'/clinic/c/{c.id}').classes('w-full no-underline text-black'),
        ui.card().classes('w-full scc-consult-card').mark('scc-consult-card'),
    ):
        ui.label(f'{c.patient_name} · {local(c.queued_at, "%Y-%m-%d %H:%M")}').classes('font-bold')
        text = status_label(c.status)
        if c.outcome:
            text += ' · ' + _(rules.OUTCOMES[c.outcome])
        ui.label(text).classes('text-sm')


class CodeColourChip(ui.label):
    """The patient's health code colour, following M1's changes live (key: the person's subject id)."""

    def __init__(self, colour: str, subject_id: str) -> None:
        super().__init__()
        self.mark('scc-code-colour')
        self.show(colour)
        live.on(CODE_CHANGED, self.changed, key=subject_id)

    def changed(self, change: CodeChanged) -> None:
        """M1 changed the colour."""
        self.show(change.colour)

    def show(self, colour: str) -> None:
        """Show `colour` ('green' | 'yellow' | 'red')."""
        name, css = COLOURS.get(colour, (colour, 'bg-gray-500'))
        self.text = _(name)
        self.classes(replace=f'px-3 py-1 rounded font-bold scc-code-colour {css} colour-{colour}' + (
            ' text-black' if colour == 'yellow' else ' text-white'))  # fmt: skip


async def health_code_chip(actor: Actor, person_id: int) -> None:
    """The patient's health code colour, live (only for the household's own people)."""
    household = {p.id: p for p in await call.read(people.household, actor=actor)}
    person = household.get(person_id)
    if person is None:
        return
    colour = await call.read(healthcode.current_colour, person_id=person_id)
    with ui.row().classes('items-center gap-2'):
        ui.label(_('Health code:'))
        CodeColourChip(colour, person.subject_id)


async def record(actor: Actor, c: ClinicConsultationPublic) -> None:
    """The finished consultation: outcome, the health-code rule, advice, a referral QR code, the chat."""
    with ui.card().classes('w-full scc-record').mark('scc-record'):
        ui.label(_('Consultation record')).classes('text-lg font-bold')
        ui.label(_('Doctor: {name}', name=c.doctor_name)).classes('scc-doctor-name')
        ui.label(f'{local(c.called_at, "%Y-%m-%d %H:%M")} – {local(c.ended_at)}').classes('text-sm text-gray-600')
        if c.outcome:
            ui.label(_(rules.OUTCOMES[c.outcome])).classes('text-xl font-bold scc-outcome').mark('scc-outcome')
            ui.label(_(rules.OUTCOME_RULES[c.outcome])).classes('text-sm scc-outcome-rule').mark('scc-outcome-rule')
        ui.label(_('Advice')).classes('font-bold')
        ui.label(c.advice).classes('whitespace-pre-wrap scc-advice').mark('scc-advice')
        await health_code_chip(actor, c.person_id)
    if c.outcome == 'offline_clinic' and c.clinic_code:
        target = clinic(c.clinic_code)
        with ui.card().classes('w-full items-center scc-referral').mark('scc-referral'):
            ui.label(_('Referral: {clinic}', clinic=pick(target.name_zh, target.name_en))).classes('font-bold')
            ui.label(pick(target.address_zh, target.address_en)).classes('text-sm')
            ui.image(referral.referral_qr_data_url(c)).classes('w-56 h-56').props('fit=contain no-spinner')
            ui.label(_('Show this code at the fever clinic: it carries your triage summary.')).classes('text-sm')
