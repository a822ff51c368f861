"""Residents' fever clinic (phone): start a consultation, wait with a live place and an honest wait, chat, records."""

from fastapi.responses import RedirectResponse
from nicegui import ui

from models.accounts import Role
from models.clinic import ConsultPublic
from services import healthcode
from services.access import Actor
from services.clinic import CLINIC_CONSULT, consult, queue, referral, rules
from services.clinic.board import QueueSnapshot
from services.clinic.clinics import clinic, nearest
from services.errors import N_, DomainError
from services.events import DomainEvent
from services.foundation import people
from views.clinic.board import board, present_patient
from views.clinic.form import triage_form
from views.clinic.room import chat_panel, labels, local, status_label
from views.kit import call, live
from views.kit.frame import ServiceTile, add_home_section, add_service_tile, current_actor, page
from views.kit.i18n import _, error_text, pick

COLOURS = {'green': (N_('Green'), 'bg-green-600'), 'yellow': (N_('Yellow'), 'bg-yellow-400'),
           'red': (N_('Red'), 'bg-red-700')}  # fmt: skip


def consult_link(c: ConsultPublic) -> None:
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


def emergency(c: ConsultPublic) -> None:
    """Red flags: call 120 now, the nearest fever clinic; the doctors have been alerted."""
    place = nearest(c.patient_district)
    with ui.card().classes('w-full bg-red-700 text-white scc-emergency').mark('scc-emergency'):
        ui.label(_('Call 120 now')).classes('text-3xl font-bold')
        ui.label(_('Your answers show a danger sign: {flags}. Do not wait for an online consultation.',
                   flags=labels(c.red_flags, rules.RED_FLAGS)))  # fmt: skip
        ui.button(_('Call 120'), icon='call', on_click=lambda: ui.navigate.to('tel:120')).props(
            'unelevated color=white text-color=red-9 no-caps size=lg'
        ).classes('w-full')
        ui.label(_('Nearest fever clinic')).classes('font-bold mt-2')
        ui.label(pick(place.name_zh, place.name_en))
        ui.label(pick(place.address_zh, place.address_en)).classes('text-sm')
        ui.link(place.phone, f'tel:{place.phone}').classes('text-white')
    ui.label(_('The doctors have been alerted: if you stay on this page, a doctor will write to you here.')).classes(
        'text-sm'
    )


async def health_code_chip(actor: Actor, person_id: int) -> None:
    """The patient's health code colour, live."""
    household = {p.id: p for p in await call.read(people.household, actor=actor)}
    person = household.get(person_id)
    if person is None:
        return
    colour = await call.read(healthcode.current_colour, person_id=person_id)
    with ui.row().classes('items-center gap-2'):
        ui.label(_('Health code:'))
        chip = ui.label().classes('px-3 py-1 rounded text-white font-bold scc-code-colour').mark('scc-code-colour')

    def show(value: str) -> None:
        name, css = COLOURS.get(value, (value, 'bg-gray-500'))
        chip.text = _(name)
        chip.classes(replace=f'px-3 py-1 rounded font-bold scc-code-colour {css} colour-{value}' + (
            ' text-black' if value == 'yellow' else ' text-white'))  # fmt: skip

    show(colour)
    live.on(healthcode.CHANGED, lambda e: show(str(e.data.get('colour', ''))), key=person.subject_id)


async def record(actor: Actor, c: ConsultPublic) -> None:
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


def register() -> None:
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

    @page('/clinic/c/{consultation_id}', roles=(Role.resident,))
    async def clinic_consultation(consultation_id: int) -> None:
        actor = current_actor()
        assert actor is not None
        try:  # a read first: page loads in a rush must not queue for the write lock
            current = await call.read(consult.consultation, actor=actor, consultation_id=consultation_id)
        except DomainError as error:
            ui.notify(error_text(error), type='negative')
            return
        if queue.needs_rejoin(current):
            rejoined = await call.attempt(queue.rejoin, actor=actor, consultation_id=consultation_id)
            if rejoined is None:
                return
            current = rejoined
        state: dict[str, ConsultPublic] = {'c': current}
        few_told = {'done': False}

        @ui.refreshable
        async def body() -> None:
            c = state['c']
            present_patient(c.id if c.status == 'waiting' else None)
            ui.label(_('Fever consultation for {name}', name=c.patient_name)).classes('text-lg font-bold')
            status = ui.label(status_label(c.status)).classes('scc-status').mark('scc-status')
            status.props(f'data-status={c.status}')
            if c.status == 'waiting':
                if c.red_flags:
                    emergency(c)
                await waiting(c)
            elif c.status == 'in_consult':
                ui.label(_('Doctor: {name}', name=c.doctor_name)).classes('font-bold scc-doctor-name')
                await chat_panel(actor=actor, consultation_id=c.id, is_open=True)
            elif c.status == 'done':
                await record(actor, c)
                ui.label(_('Conversation')).classes('font-bold')
                await chat_panel(actor=actor, consultation_id=c.id, is_open=False)
            else:
                ui.label(_('You are no longer in the queue. You can start again at any time.'))
                ui.button(_('Start again'), on_click=lambda: ui.navigate.to('/clinic')).props('unelevated no-caps')
            ui.link(_('My consultations'), '/clinic/records')

        async def waiting(c: ConsultPublic) -> None:
            with ui.card().classes('w-full scc-queue').mark('scc-queue'):
                place = ui.label().classes('text-2xl font-bold scc-place').mark('scc-place')
                ahead = ui.label().classes('scc-ahead').mark('scc-ahead')
                wait = ui.label().classes('scc-wait').mark('scc-wait')
                doctors = ui.label().classes('text-sm text-gray-700 scc-doctors').mark('scc-doctors')
                total = ui.label().classes('text-sm text-gray-700 scc-total').mark('scc-total')
                few = (
                    ui.label(_('Almost your turn: please stay on this page.'))
                    .classes('bg-amber-100 rounded px-2 py-1 font-bold scc-few')
                    .mark('scc-few')
                )
                few.set_visibility(False)

            def show(snapshot: QueueSnapshot) -> None:
                estimate = snapshot.estimate(c.id)
                if estimate is None:
                    return
                place.text = _('Your place in the queue: {n}', n=estimate.ahead + 1)
                ahead.text = _('{n} ahead of you', n=estimate.ahead)
                if snapshot.doctors_on_duty == 0:
                    wait.text = _('No doctor is on duty right now; your place is kept.')
                else:
                    wait.text = _('Estimated wait: {low}–{high} minutes', low=estimate.low_minutes,
                                  high=estimate.high_minutes)  # fmt: skip
                doctors.text = _('Doctors on duty: {n}', n=snapshot.doctors_on_duty)
                total.text = _('People waiting: {n}', n=snapshot.waiting)
                few.set_visibility(estimate.ahead <= rules.FEW_AHEAD)
                if estimate.ahead <= rules.FEW_AHEAD and not few_told['done']:
                    few_told['done'] = True
                    ui.notify(_('{n} ahead of you: please stay on this page.', n=estimate.ahead), type='info')

            snapshot = await board.current()
            if c.id not in snapshot.positions:
                board.request()  # joined after this snapshot was taken
            show(snapshot)
            board.subscribe(show)
            if c.ask_pending:
                ask(c)
            ui.button(_('Leave the queue'), on_click=confirm_leave).props('flat no-caps color=negative').classes(
                'scc-leave'
            ).mark('scc-leave')

        def ask(c: ConsultPublic) -> None:
            with ui.dialog().props('persistent') as dialog, ui.card().classes('scc-ask').mark('scc-ask'):
                ui.label(_('Are your symptoms worse than when you joined the queue?')).classes('font-bold')

                async def answer(worse: bool) -> None:
                    dialog.close()
                    answered = await call.attempt(queue.answer_worse, actor=actor, consultation_id=c.id, worse=worse)
                    if answered is not None and worse:
                        ui.notify(_('Thank you: your priority has been raised.'), type='info')

                with ui.row():
                    ui.button(_('Yes, worse'), on_click=lambda: answer(True)).props('unelevated color=negative')
                    ui.button(_('No'), on_click=lambda: answer(False)).props('flat')
            dialog.open()

        async def confirm_leave() -> None:
            with ui.dialog() as dialog, ui.card():
                ui.label(_('Leave the queue? You will lose your place.'))
                with ui.row():
                    ui.button(_('Leave'), on_click=lambda: dialog.submit(True)).props('unelevated color=negative').mark(
                        'scc-leave-confirm'
                    )
                    ui.button(_('Stay'), on_click=lambda: dialog.submit(False)).props('flat')
            if await dialog:
                await call.attempt(queue.leave_queue, actor=actor, consultation_id=consultation_id)

        async def on_change(event: DomainEvent) -> None:
            fresh = await call.read(consult.consultation, actor=actor, consultation_id=consultation_id)
            if event.data.get('reason') == 'ask' or (fresh.status != state['c'].status):
                state['c'] = fresh
                body.refresh()
            if fresh.status == 'in_consult' and event.data.get('reason') == 'called':
                ui.notify(_('A doctor is with you now.'), type='positive')

        await body()
        live.on(CLINIC_CONSULT, on_change, key=str(consultation_id))


async def home_section(actor: Actor) -> None:
    """On the resident Home: open consultations and their state."""
    open_ones = await call.read(consult.open_consultations, actor=actor)
    for c in open_ones:
        with ui.card().classes('w-full border-l-4 border-green-700 scc-home-clinic').mark('scc-home-clinic'):
            ui.label(_('Fever consultation: {name}', name=c.patient_name)).classes('font-bold')
            ui.label(status_label(c.status) + (f' · {c.doctor_name}' if c.doctor_name else ''))
            ui.link(_('Open'), f'/clinic/c/{c.id}')
