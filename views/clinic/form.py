"""The triage form a resident fills in to start a fever consultation (phone-sized)."""

from datetime import date

from nicegui import ui

from models.clinic import ClinicConsultationCreate, ClinicConsultationPublic
from models.common import utcnow
from services.access import Actor
from services.clinic import consult, queue, rules, triage
from services.errors import DomainError
from services.foundation import people
from views.kit import call
from views.kit.actions import ActionButton
from views.kit.fmt import city_time
from views.kit.i18n import _, error_text


class CodeChoices(ui.column):
    """A checkbox per code of a triage vocabulary (marked `{mark}-{code}`); `selected` are the ticked codes."""

    def __init__(self, vocabulary: dict[str, str], mark: str) -> None:
        super().__init__()
        self.classes('gap-0')
        self.boxes: dict[str, ui.checkbox] = {}
        with self:
            for code, msgid in vocabulary.items():
                self.boxes[code] = ui.checkbox(_(msgid)).classes(f'{mark}-{code}').mark(f'{mark}-{code}')

    @property
    def selected(self) -> list[str]:
        """The ticked codes, in the vocabulary's order."""
        return [code for code, box in self.boxes.items() if box.value]

    def select(self, codes: list[str]) -> None:
        """Tick exactly `codes`."""
        for code, box in self.boxes.items():
            box.value = code in codes


# The triage refusals that belong to one field of the form (shown under it, not as a notice).
FIELD_OF: dict[str, str] = {
    triage.NO_TEMPERATURE: 'temperature',
    triage.BAD_TEMPERATURE: 'temperature',
    triage.NO_ONSET: 'onset',
    triage.FUTURE_ONSET: 'onset',
    triage.OLD_ONSET: 'onset',
}


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


async def triage_form(actor: Actor) -> None:
    """Who is ill, temperature, symptoms, onset, exposure and travel, red flags; submit joins the queue."""
    household = await call.read(people.household, actor=actor)
    patients = {p.id: f'{p.real_name}' + (f' · {p.relation}' if p.relation else ' · ' + _('me')) for p in household}
    with ui.card().classes('w-full scc-triage-form').mark('scc-triage-form'):
        ui.label(_('Start a fever consultation')).classes('text-lg font-bold')
        patient = (
            ui.select(patients, label=_('Who is ill?'), value=actor.person_id)
            .props('outlined')
            .classes('w-full scc-patient')
            .mark('scc-patient')
        )
        # No min/max here: the field would quietly clamp 45 to 43 on blur; the service's reason shows under it.
        temperature = (
            ui.number(_('Temperature (°C)'), step=0.1, format='%.1f')
            .props('outlined inputmode=decimal')
            .classes('w-full scc-temperature')
            .mark('scc-temperature')
        )
        onset = (
            ui.input(_('Symptoms started on'), value=city_time(utcnow(), '%Y-%m-%d'))  # the city's today, as validated
            .props('outlined type=date maxlength=10')
            .classes('w-full scc-onset')
            .mark('scc-onset')
        )
        ui.label(_('Symptoms')).classes('font-bold')
        symptoms = CodeChoices(rules.SYMPTOMS, 'scc-symptom')
        exposure = ui.checkbox(_('Contact with a confirmed or suspected case in the last 14 days')).mark('scc-exposure')
        travel = ui.checkbox(_('Travelled outside the city in the last 14 days')).mark('scc-travel')
        travel_detail = (
            ui.input(_('Where did you travel?'))
            .props('outlined dense maxlength=100')
            .classes('w-full')
            .bind_visibility_from(travel, 'value')
        )
        ui.label(_('Chronic conditions')).classes('font-bold')
        chronic = CodeChoices(rules.CHRONIC, 'scc-chronic')

        async def prefill() -> None:  # remembered from the patient's last consultation
            if patient.value:
                chronic.select(await call.read(consult.known_chronic, actor=actor, person_id=int(patient.value)))

        patient.on_value_change(prefill)
        await prefill()
        with ui.card().classes('w-full bg-red-50 border border-red-200'):
            ui.label(_('Danger signs: tick any that apply')).classes('font-bold text-red-800')
            flags = CodeChoices({k: v for k, v in rules.RED_FLAGS.items() if k != 'low_spo2'}, 'scc-flag')
            spo2 = (
                ui.number(_('Oxygen saturation (%), if you can measure it'), min=50, max=100, step=1, format='%d')
                .props('outlined dense inputmode=numeric')
                .classes('w-full scc-spo2')
                .mark('scc-spo2')
            )

        fields: dict[str, ui.number | ui.input] = {'temperature': temperature, 'onset': onset}
        for each in fields.values():
            each.on_value_change(lambda e: setattr(e.sender, 'error', None))  # the problem is being fixed

        async def submit(key: str) -> ClinicConsultationPublic | None:
            for each in fields.values():
                each.error = None
            onset_date = _date(onset.value)
            if onset.value and onset_date is None:
                onset.error = _('Please enter the date your symptoms started.')
                return None
            form = ClinicConsultationCreate(
                person_id=int(patient.value or 0),
                temperature=float(temperature.value) if temperature.value is not None else None,
                symptoms=symptoms.selected,
                onset_date=onset_date,
                exposure=bool(exposure.value),
                travel=bool(travel.value),
                travel_detail=travel_detail.value or '',
                red_flags=flags.selected,
                spo2=int(spo2.value) if spo2.value is not None else None,
                chronic=chronic.selected,
            )
            try:
                started = await call.write(queue.start_consultation, actor=actor, form=form, key=key)
            except DomainError as error:  # one message per problem: under its field, or a notice for the rest
                field = fields.get(FIELD_OF.get(error.message, ''))
                if field is not None:
                    field.error = error_text(error)
                else:
                    ui.notify(error_text(error), type='negative', multi_line=True, position='top')
                return None
            ui.navigate.to(f'/clinic/c/{started.id}')
            return started

        # A double tap sends the same key twice: one place in the queue (services.idempotency).
        ActionButton(_('See a doctor'), submit, name='scc-join', icon='medical_services').props(
            'unelevated no-caps'
        ).classes('w-full')
