"""One consultation as its resident follows it (phone): the emergency screen, the live place in the queue and an
honest wait, the "are you worse?" question, then the chat with the doctor and finally the record."""

from nicegui import ui

from models.accounts import Role
from models.clinic import ClinicConsultationPublic, ConsultStatus
from services.access import Actor
from services.clinic import CONSULT_CHANGED, ConsultChanged, consult, queue, rules
from services.clinic.board import QueueSnapshot
from services.clinic.clinics import nearest
from services.errors import DomainError
from views.clinic.board import board, present_patient
from views.clinic.record import record
from views.clinic.room import chat_panel, labels, status_label
from views.kit import call, live
from views.kit.browser import beep
from views.kit.frame import current_actor, page
from views.kit.i18n import _, error_text, pick


def emergency(c: ClinicConsultationPublic) -> None:
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


class QueuePlace(ui.card):
    """The waiting card: place, patients ahead, the wait range, doctors on duty, people waiting, "almost your turn".
    It follows the process-wide queue board (one snapshot for every page) until it is rebuilt or the page closes."""

    def __init__(self, visit: 'Visit', consultation_id: int) -> None:
        super().__init__()
        self.visit = visit
        self.consultation_id = consultation_id
        self.classes('w-full scc-queue').mark('scc-queue')
        with self:
            self.place = ui.label().classes('text-2xl font-bold scc-place').mark('scc-place')
            self.ahead = ui.label().classes('scc-ahead').mark('scc-ahead')
            self.wait = ui.label().classes('scc-wait').mark('scc-wait')
            self.doctors = ui.label().classes('text-sm text-gray-700 scc-doctors').mark('scc-doctors')
            self.total = ui.label().classes('text-sm text-gray-700 scc-total').mark('scc-total')
            self.few = (
                ui.label(_('Almost your turn: please stay on this page.'))
                .classes('bg-amber-100 rounded px-2 py-1 font-bold scc-few')
                .mark('scc-few')
            )
            self.few.set_visibility(False)

    async def follow(self) -> None:
        """Show the current snapshot, then every new one. (A consultation that joined after the board's snapshot
        appears with the recompute its own join event starts.)"""
        self.show(await board.current())
        board.subscribe(self.show)

    def show(self, snapshot: QueueSnapshot) -> None:
        """This consultation's place in `snapshot` (nothing when it is not waiting there)."""
        estimate = snapshot.estimate(self.consultation_id)
        if estimate is None:
            return
        self.place.text = _('Your place in the queue: {n}', n=estimate.ahead + 1)
        self.ahead.text = _('{n} ahead of you', n=estimate.ahead)
        if snapshot.doctors_on_duty == 0:
            self.wait.text = _('No doctor is on duty right now; your place is kept.')
        else:
            self.wait.text = _('Estimated wait: {low}–{high} minutes', low=estimate.low_minutes,
                               high=estimate.high_minutes)  # fmt: skip
        self.doctors.text = _('Doctors on duty: {n}', n=snapshot.doctors_on_duty)
        self.total.text = _('People waiting: {n}', n=snapshot.waiting)
        few = estimate.ahead <= rules.FEW_AHEAD
        self.few.set_visibility(few)
        if few and not self.visit.few_told:
            self.visit.few_told = True  # once per page, however often the card is rebuilt
            ui.notify(_('{n} ahead of you: please stay on this page.', n=estimate.ahead), type='info')

    def _handle_delete(self) -> None:
        board.unsubscribe(self.show)
        super()._handle_delete()


class Visit:
    """The page /clinic/c/{id}: its consultation, rebuilt when its state changes."""

    def __init__(self, actor: Actor, current: ClinicConsultationPublic) -> None:
        self.actor = actor
        self.consult = current
        self.few_told = False

    @ui.refreshable_method
    async def body(self) -> None:
        """Everything below the frame, for the consultation's current state."""
        c = self.consult
        present_patient(c.id if c.status == ConsultStatus.waiting else None)
        ui.label(_('Fever consultation for {name}', name=c.patient_name)).classes('text-lg font-bold')
        status = ui.label(status_label(c.status)).classes('scc-status').mark('scc-status')
        status.props(f'data-status={c.status}')
        if c.status == ConsultStatus.waiting:
            if c.red_flags:
                emergency(c)
            await QueuePlace(self, c.id).follow()
            # Browsers play sound only after a tap in the page: the first tap here makes the call audible.
            ui.run_javascript("document.addEventListener('pointerdown', () => scc.unlockAudio(), {once: true})")
            if c.ask_pending:
                self.ask()
            ui.button(_('Leave the queue'), on_click=self.confirm_leave).props('flat no-caps color=negative').classes(
                'scc-leave'
            ).mark('scc-leave')
        elif c.status == ConsultStatus.in_consult:
            ui.label(_('Doctor: {name}', name=c.doctor_name)).classes('font-bold scc-doctor-name')
            await chat_panel(actor=self.actor, consultation_id=c.id, is_open=True)
        elif c.status == ConsultStatus.done:
            await record(self.actor, c)
            ui.label(_('Conversation')).classes('font-bold')
            await chat_panel(actor=self.actor, consultation_id=c.id, is_open=False)
        else:
            ui.label(_('You are no longer in the queue. You can start again at any time.'))
            ui.button(_('Start again'), on_click=lambda: ui.navigate.to('/clinic')).props('unelevated no-caps')
        ui.link(_('My consultations'), '/clinic/records')

    def ask(self) -> None:
        """The 20-minute question: are the symptoms worse?"""
        with ui.dialog().props('persistent') as dialog, ui.card().classes('scc-ask').mark('scc-ask'):
            ui.label(_('Are your symptoms worse than when you joined the queue?')).classes('font-bold')

            async def answer(worse: bool) -> None:
                dialog.close()
                answered = await call.attempt(queue.answer_worse, actor=self.actor, consultation_id=self.consult.id,
                                              worse=worse)  # fmt: skip
                if answered is not None and worse:
                    ui.notify(_('Thank you: your priority has been raised.'), type='info')

            with ui.row():
                ui.button(_('Yes, worse'), on_click=lambda: answer(True)).props('unelevated color=negative')
                ui.button(_('No'), on_click=lambda: answer(False)).props('flat')
        dialog.open()

    async def confirm_leave(self) -> None:
        """Leave the queue, after a confirmation."""
        with ui.dialog() as dialog, ui.card():
            ui.label(_('Leave the queue? You will lose your place.'))
            with ui.row():
                ui.button(_('Leave'), on_click=lambda: dialog.submit(True)).props('unelevated color=negative').mark(
                    'scc-leave-confirm'
                )
                ui.button(_('Stay'), on_click=lambda: dialog.submit(False)).props('flat')
        if await dialog:
            await call.attempt(queue.leave_queue, actor=self.actor, consultation_id=self.consult.id)

    async def changed(self, change: ConsultChanged) -> None:
        """The consultation changed: rebuild on a new state or a question; tell the resident when called."""
        fresh = await call.read(consult.consultation, actor=self.actor, consultation_id=self.consult.id)
        if change.reason == 'ask' or fresh.status != self.consult.status:
            self.consult = fresh
            self.body.refresh()
        if fresh.status == ConsultStatus.in_consult and change.reason == 'called':
            called()


def called() -> None:
    """Tell the resident their turn has come, also when they look away: a notice, a sound, a vibration (phones
    that have one) and the tab's title."""
    ui.notify(_('A doctor is with you now.'), type='positive')
    beep('call')
    ui.run_javascript('if (navigator.vibrate) navigator.vibrate([300, 150, 300, 150, 600])')
    ui.page_title('🔔 ' + _('A doctor is with you now.'))


def register() -> None:
    """The resident's consultation page."""

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
        visit = Visit(actor, current)
        await visit.body()
        live.on(CONSULT_CHANGED, visit.changed, key=consultation_id)
