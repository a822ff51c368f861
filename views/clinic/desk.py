"""The doctors' desk (desktop): on duty or away, the live queue with triage, "call next", the consult room."""

from nicegui import ui

from models.accounts import Role
from models.clinic import ClinicConsultationPublic, ConsultStatus
from models.common import utcnow
from services.access import Actor
from services.clinic import CONSULT_CHANGED, QUEUE_CHANGED, ConsultChanged, QueueChanged, board, consult, queue, rules
from services.clinic.clinics import CLINICS
from services.errors import N_, DomainError
from views.clinic.board import present_desk
from views.clinic.room import chat_panel, labels, local, status_label, triage_summary
from views.kit import call, live
from views.kit.actions import ActionButton
from views.kit.browser import beep, unlock_audio
from views.kit.frame import StaffLink, add_staff_link, current_actor, page
from views.kit.i18n import _, error_text, pick

ENDED = (ConsultStatus.left, ConsultStatus.dropped, ConsultStatus.done)  # the room closes: back to the desk


def queue_row(c: ClinicConsultationPublic, place: int) -> None:
    """One waiting patient with their triage summary."""
    minutes = int((utcnow() - c.queued_at).total_seconds() // 60)
    red = ' bg-red-50 border-l-4 border-red-700' if c.red_flags else ''
    with (
        ui.row()
        .classes(f'w-full items-center gap-3 border-b py-2 px-2 no-wrap scc-queue-row{red}')
        .mark('scc-queue-row')
    ):
        ui.label(str(place)).classes('w-6 font-bold')
        with ui.column().classes('gap-0 w-40'):
            ui.label(f'{c.patient_masked} · {c.age}').classes('font-bold scc-queue-patient').mark('scc-queue-patient')
            ui.label(_('waiting {n} min', n=minutes)).classes('text-xs text-gray-600')
        ui.label(f'{c.temperature:.1f} °C').classes('w-16')
        ui.label(f'{c.severity}/10' + (f' ↑{c.worse_count}' if c.worse_count else '')).classes('w-16')
        with ui.column().classes('gap-0 grow'):
            if c.red_flags:
                ui.label(_('Red flags: {flags}', flags=labels(c.red_flags, rules.RED_FLAGS))).classes(
                    'text-red-800 font-bold scc-red-flag'
                ).mark('scc-red-flag')
            ui.label(labels(c.symptoms, rules.SYMPTOMS)).classes('text-sm')
            extra = [_('contact with a case')] if c.exposure else []
            extra += [_('travel: {place}', place=c.travel_detail)] if c.travel else []
            extra += [labels(c.chronic, rules.CHRONIC)] if c.chronic else []
            if extra:
                ui.label(' · '.join(extra)).classes('text-xs text-gray-700')


def register() -> None:
    add_staff_link(StaffLink('/clinic/desk', N_('Fever clinic desk'), 'medical_services', (Role.doctor,)))

    @page('/clinic/desk', roles=(Role.doctor,), layout='staff')
    async def desk() -> None:
        actor = current_actor()
        assert actor is not None
        present_desk(actor.account_id)
        on_duty = await call.read(queue.is_on_duty, actor=actor)
        ui.label(_('Fever clinic desk')).classes('text-2xl font-bold')
        with ui.row().classes('items-center gap-4'):

            async def toggle(event) -> None:  # type: ignore[no-untyped-def]
                unlock_audio()
                await call.attempt(queue.set_duty, actor=actor, on_duty=bool(event.value))

            ui.switch(_('On duty'), value=on_duty, on_change=toggle).classes('scc-duty').mark('scc-duty')

            async def call_next() -> None:
                unlock_audio()
                try:  # one message: the refusal (off duty, busy) or "nobody present", never both
                    called = await call.write(queue.call_next, actor=actor)
                except DomainError as error:
                    ui.notify(error_text(error), type='negative', multi_line=True, position='top')
                    return
                if called is not None:
                    ui.navigate.to(f'/clinic/desk/c/{called.id}')
                else:
                    ui.notify(_('Nobody present is waiting.'), type='info', position='top')

            ui.button(_('Call next'), icon='campaign', on_click=call_next).props('unelevated no-caps size=lg').classes(
                'scc-call-next'
            ).mark('scc-call-next')
            ui.button(_('Test sound'), icon='volume_up', on_click=lambda: beep('call')).props('flat no-caps')
        current = await call.read(consult.doctor_current, actor=actor)
        if current is not None:
            with ui.card().classes('w-full bg-green-50'):
                ui.label(_('In consultation with {name}', name=current.patient_masked)).classes('font-bold')
                ui.link(_('Back to the consult room'), f'/clinic/desk/c/{current.id}')

        @ui.refreshable
        async def waiting_list() -> None:
            rows = await call.read(board.doctor_queue, actor=actor)
            total = len(rows) if len(rows) < board.DESK_LIMIT else await call.read(board.waiting_count)
            ui.label(_('Waiting: {n}', n=total)).classes('text-lg font-bold scc-waiting-count').mark(
                'scc-waiting-count'
            )
            if not rows:
                ui.label(_('Nobody is waiting.')).classes('text-gray-600')
            with ui.column().classes('w-full gap-0 scc-queue-list').mark('scc-queue-list'):
                for place, c in enumerate(rows, start=1):
                    queue_row(c, place)

        await waiting_list()

        def on_queue(change: QueueChanged) -> None:
            # Every change, at once: each join beeps, and a red flag must never be folded into a milder change.
            reason = change.reason
            if reason == 'red_flag':
                beep('urgent')
                ui.notify(_('Red flag: a patient needs attention now.'), type='negative', position='top',
                          timeout=15000)  # fmt: skip
            elif reason == 'joined':
                beep('call')
                ui.notify(_('A patient joined the queue.'), type='info', position='top')
            waiting_list.refresh()

        live.on(QUEUE_CHANGED, on_queue)

    @page('/clinic/desk/c/{consultation_id}', roles=(Role.doctor,), layout='staff')
    async def room(consultation_id: int) -> None:
        actor = current_actor()
        assert actor is not None
        present_desk(actor.account_id)
        c = await call.attempt(consult.doctor_view, actor=actor, consultation_id=consultation_id)
        if c is None:
            return
        mine = c.doctor_account_id == actor.account_id and c.status == 'in_consult'
        finishing: list[bool] = []  # non-empty while this page's doctor is finishing the consultation
        with ui.row().classes('w-full items-center'):
            ui.label(_('Consultation: {name}, {age}', name=c.patient_masked, age=c.age)).classes('text-2xl font-bold')
            ui.label(status_label(c.status)).classes('scc-room-status').mark('scc-room-status')
            ui.space()
            ui.link(_('Back to the desk'), '/clinic/desk')
        with ui.row().classes('w-full gap-4 items-start no-wrap max-md:flex-wrap'):
            with ui.column().classes('w-96 max-md:w-full gap-3'):
                triage_summary(c)
                await previous(actor, c)
            with ui.column().classes('grow gap-3'):
                await chat_panel(actor=actor, consultation_id=c.id, is_open=mine)
                if mine:
                    outcome_form(actor, c, finishing)
                elif c.outcome:
                    ui.label(_(rules.OUTCOMES[c.outcome])).classes('text-lg font-bold')
                    ui.label(c.advice).classes('whitespace-pre-wrap')

        def on_change(change: ConsultChanged) -> None:
            # This page's own Finish button navigates to the desk itself; a reload racing that navigation
            # left the browser on the closed room.
            if change.status in ENDED and not finishing:
                ui.navigate.reload()

        live.on(CONSULT_CHANGED, on_change, key=consultation_id)


async def previous(actor: Actor, c: ClinicConsultationPublic) -> None:
    """The patient's earlier consultations."""
    earlier = await call.read(consult.previous, actor=actor, person_id=c.person_id, before_id=c.id)
    with ui.card().classes('w-full scc-previous').mark('scc-previous'):
        ui.label(_('Previous consultations')).classes('font-bold')
        if not earlier:
            ui.label(_('None.')).classes('text-gray-600 text-sm')
        for item in earlier:
            outcome = _(rules.OUTCOMES[item.outcome]) if item.outcome else ''
            ui.label(f'{local(item.ended_at, "%Y-%m-%d")} · {item.temperature:.1f} °C · {outcome}').classes('text-sm')
            ui.label(item.advice).classes('text-xs text-gray-700 whitespace-pre-wrap')


def outcome_form(actor: Actor, c: ClinicConsultationPublic, finishing: list[bool]) -> None:
    """Advice (with templates) and the outcome; finishing records it and updates the health code."""
    with ui.card().classes('w-full scc-outcome-form').mark('scc-outcome-form'):
        ui.label(_('Outcome')).classes('font-bold')
        outcome = (
            ui.radio({k: _(v) for k, v in rules.OUTCOMES.items()})
            .classes('scc-outcome-choice')
            .mark('scc-outcome-choice')
        )
        place = (
            ui.select({x.code: pick(x.name_zh, x.name_en) for x in CLINICS}, label=_('Fever clinic'))
            .props('outlined dense')
            .classes('w-96 scc-clinic-choice')
            .mark('scc-clinic-choice')
            .bind_visibility_from(outcome, 'value', backward=lambda v: v == 'offline_clinic')
        )
        advice = (
            ui.textarea(_('Advice for the patient'))
            .props(f'outlined maxlength={rules.ADVICE_MAX}')
            .classes('w-full scc-advice-input')
            .mark('scc-advice-input')
        )
        with ui.row().classes('gap-1 flex-wrap'):
            for key, msgid in rules.ADVICE_TEMPLATES.items():

                def use(text: str = _(msgid)) -> None:
                    advice.value = ((advice.value or '').rstrip() + '\n' + text).strip()

                ui.button(_(msgid)[:28] + '…', on_click=use).props('outline dense no-caps size=sm').classes(
                    f'scc-template-{key}'
                ).mark(f'scc-template-{key}').tooltip(_(msgid))

        async def finish(key: str) -> ClinicConsultationPublic | None:
            if not outcome.value:
                ui.notify(_('Please choose an outcome.'), type='negative')
                return None
            finishing.append(True)
            done = await call.attempt(consult.finish, actor=actor, consultation_id=c.id, outcome=outcome.value,
                                      advice=advice.value or '', clinic_code=place.value or '', key=key)  # fmt: skip
            if done is None:
                finishing.clear()
            else:
                ui.notify(_('Consultation finished: {outcome}', outcome=_(rules.OUTCOMES[outcome.value])),
                          type='positive')  # fmt: skip
                ui.navigate.to('/clinic/desk')
            return done

        # A double click sends the same key twice: the first outcome, never "ended already" (services.idempotency).
        ActionButton(_('Finish consultation'), finish, name='scc-finish', icon='check').props('unelevated no-caps')
