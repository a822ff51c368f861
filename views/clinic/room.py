"""Pieces both sides of a consultation share: the chat panel, the triage summary, outcome texts, times."""

from datetime import datetime

from nicegui import ui

from models.clinic import ClinicConsultationPublic, ClinicMessagePublic
from services.access import Actor
from services.clinic import CHAT_POSTED, ChatPosted, consult, rules
from services.errors import N_
from views.kit import call, live
from views.kit.actions import ActionButton
from views.kit.fmt import city_time
from views.kit.i18n import _

STATUS_LABELS = {
    'waiting': N_('Waiting'), 'in_consult': N_('In consultation'), 'done': N_('Finished'),
    'left': N_('Left the queue'), 'dropped': N_('Removed after 5 minutes away'),
}  # fmt: skip


def local(moment: datetime | None, fmt: str = '%H:%M') -> str:
    """A UTC moment in the city's time, formatted."""
    return '' if moment is None else city_time(moment, fmt)


def labels(codes: list[str], vocabulary: dict[str, str]) -> str:
    """Translated names of triage codes, or a dash."""
    return '、'.join(_(vocabulary[c]) for c in codes if c in vocabulary) or '—'


def status_label(status: str) -> str:
    """The consultation status in the reader's language."""
    return _(STATUS_LABELS.get(status, status))


def triage_summary(c: ClinicConsultationPublic) -> None:
    """The triage answers as a compact card."""
    with ui.card().classes('w-full scc-triage').mark('scc-triage'):
        if c.red_flags:
            ui.label(_('Red flags: {flags}', flags=labels(c.red_flags, rules.RED_FLAGS))).classes(
                'text-white bg-red-700 rounded px-2 py-1 font-bold'
            )
        rows = [
            (_('Temperature'), f'{c.temperature:.1f} °C'),
            (_('Symptoms'), labels(c.symptoms, rules.SYMPTOMS)),
            (_('Symptoms since'), f'{c.onset_date:%Y-%m-%d}'),
            (_('Age'), str(c.age)),
            (_('Chronic conditions'), labels(c.chronic, rules.CHRONIC)),
            (_('Contact with a case'), _('Yes') if c.exposure else _('No')),
            (_('Travel'), c.travel_detail if c.travel else _('No')),
            (_('Oxygen saturation'), f'{c.spo2} %' if c.spo2 is not None else '—'),
            (_('Priority'), f'{c.severity}/10' + (' · ' + _('worse ×{n}', n=c.worse_count) if c.worse_count else '')),
        ]
        with ui.grid(columns=2).classes('w-full gap-x-3 gap-y-1 text-sm'):
            for name, value in rows:
                ui.label(name).classes('text-gray-600')
                ui.label(value)


def chat_bubble(message: ClinicMessagePublic, *, mine: bool) -> ui.label:
    """One message: the text goes into a label (escaped by the browser as text, never parsed as HTML)."""
    side = 'self-end bg-green-100' if mine else 'self-start bg-gray-100'
    with (
        ui.column().classes(f'gap-0 rounded-lg px-3 py-2 max-w-[85%] {side} scc-chat-message').mark('scc-chat-message')
    ):
        ui.label(f'{message.sender_name} · {local(message.at)}').classes('text-xs text-gray-600')
        return ui.label(message.body).classes('whitespace-pre-wrap break-words scc-chat-body').mark('scc-chat-body')


async def chat_panel(*, actor: Actor, consultation_id: int, is_open: bool) -> None:
    """The conversation, live: both sides see each message when it is sent; ordered by when it was stored."""
    items: dict[int, ClinicMessagePublic] = {
        m.id: m for m in await call.read(consult.messages, actor=actor, consultation_id=consultation_id)
    }
    from_doctor = actor.is_staff
    area = ui.scroll_area().classes('w-full h-72 border rounded scc-chat').mark('scc-chat')

    def render() -> None:
        area.clear()
        with area:
            if not items:
                ui.label(_('No messages yet.')).classes('text-gray-600 text-sm scc-chat-empty')
            with ui.column().classes('w-full gap-2'):
                for message_id in sorted(items):
                    chat_bubble(items[message_id], mine=items[message_id].from_doctor == from_doctor)
        area.scroll_to(percent=1.0)

    def add(message: ClinicMessagePublic) -> None:
        if message.id in items:
            return
        items[message.id] = message
        render()

    def on_chat(posted: ChatPosted) -> None:
        add(posted.message)

    render()
    live.on(CHAT_POSTED, on_chat, key=consultation_id)
    if not is_open:
        return
    with ui.row().classes('w-full items-center no-wrap gap-2'):
        text = (
            ui.input(placeholder=_('Type a message'))
            .props(f'outlined dense maxlength={rules.CHAT_MAX}')
            .classes('grow scc-chat-input')
            .mark('scc-chat-input')
        )

        async def send(key: str) -> ClinicMessagePublic | None:
            sent = await call.attempt(consult.send_message, actor=actor, consultation_id=consultation_id,
                                      body=text.value or '', key=key)  # fmt: skip
            if sent is not None:
                text.value = ''
                add(sent)
            return sent

        # A double tap (or Enter and a tap) sends the same key twice: one message (services.idempotency).
        button = ActionButton('', send, name='scc-chat-send', icon='send').props('round unelevated')

        async def enter() -> None:
            await button.press()  # Enter is the same tap: same key, ignored while a send runs

        text.on('keydown.enter', enter)
