"""Checkpoint staff: scan (camera, hardware scanner or short code), temperature, full-screen PASS / STOP verdict
with sound, live count per hour; the checkpoint's own QR poster for 'show code' mode."""

import time

from nicegui import app, ui

from models.accounts import Role
from models.healthcode import CheckpointPublic
from services.errors import N_, DomainError
from services.healthcode import checkpoints
from services.healthcode.checkpoints import Verdict
from services.healthcode.events import PASS_RECORDED
from views.healthcode.widgets import COLOUR_STYLE, COLOUR_WORD
from views.kit import browser, call, live
from views.kit.actions import new_key
from views.kit.fmt import city_time
from views.kit.frame import current_actor, page
from views.kit.i18n import _, error_text, pick
from views.kit.qr import qr_code
from views.kit.scanner import scanner

MODE_LABEL = {'scan_temperature': N_('Scan + temperature'), 'show_code': N_('Show code')}


def register() -> None:
    @page('/checkpoint', roles=(Role.checkpoint,), layout='staff')
    async def choose() -> None:
        items = await call.read(checkpoints.list_checkpoints) or []
        ui.label(_('Choose your checkpoint')).classes('text-xl font-bold')
        with ui.column().classes('w-full max-w-[480px] gap-2'):
            for item in items:
                with (
                    ui.link(target=f'/checkpoint/{item.id}').classes('w-full no-underline text-black'),
                    ui.card().classes('w-full').mark(f'scc-checkpoint-{item.id}'),
                ):
                    ui.label(pick(item.name_zh, item.name_en)).classes('text-lg font-bold')
                    ui.label(_(MODE_LABEL[item.mode])).classes('text-sm text-gray-700')

    @page('/checkpoint/{checkpoint_id}', roles=(Role.checkpoint,), layout='staff')
    async def gate(checkpoint_id: int) -> None:
        actor = current_actor()
        assert actor is not None
        try:
            checkpoint = await call.read(checkpoints.get_checkpoint, checkpoint_id=checkpoint_id)
        except Exception:
            ui.label(_('No such checkpoint.'))
            return
        app.storage.user['checkpoint'] = checkpoint_id
        with ui.column().classes('w-full max-w-[480px] mx-auto gap-3'):
            ui.label(pick(checkpoint.name_zh, checkpoint.name_en)).classes('text-xl font-bold')
            with ui.row().classes('items-center gap-2'):
                ui.badge(_(MODE_LABEL[checkpoint.mode])).classes('text-sm')
                ui.link(_('Poster QR'), f'/checkpoint/{checkpoint_id}/poster').classes('text-sm')

            @ui.refreshable
            async def counts() -> None:
                rows = await call.read(checkpoints.hourly_counts, checkpoint_id=checkpoint_id, hours=3) or []
                with ui.row().classes('w-full gap-2 no-wrap').mark('scc-hour-counts'):
                    for index, (hour, passed, stopped) in enumerate(rows):
                        with ui.card().classes('grow items-center p-2 gap-0' + (' bg-green-50' if index == 0 else '')):
                            ui.label(city_time(hour, '%H:00')).classes('text-xs text-gray-600')
                            ui.label(str(passed)).classes('text-2xl font-bold text-green-800').mark(
                                'scc-count-pass' if index == 0 else ''
                            )
                            ui.label(_('{count} stopped', count=stopped)).classes('text-xs text-red-800')

            await counts()
            # A busy gate records a check every second or two: the first one shows at once, then this screen counts
            # again at most every second (one query, not one per check).
            live.on(PASS_RECORDED, lambda _passed: counts.refresh(), key=checkpoint_id, at_most_every=1.0)
            if checkpoint.mode == 'show_code':
                show_code_help(checkpoint)
                return
            temperature = ui.input(_('Temperature ℃')).props('outlined inputmode=decimal clearable').classes(
                'w-full text-2xl scc-temperature').mark('scc-temperature')  # fmt: skip
            needs_reading = ui.label(_(checkpoints.NEEDS_READING)).classes('text-base font-bold text-red-800')
            needs_reading.classes('scc-temperature-needed').mark('scc-temperature-needed')
            needs_reading.set_visibility(False)
            temperature.on_value_change(lambda event: needs_reading.set_visibility(False) if event.value else None)
            overlay = ui.element('div').classes('fixed inset-0 z-[9999] hidden').mark('scc-verdict-overlay')

            def show(verdict: Verdict) -> None:
                overlay.clear()
                if verdict.result == 'refused':
                    background, foreground, icon, title = '#7f1d1d', '#ffffff', 'gpp_bad', _('STOP')
                else:
                    background, foreground, icon, _word = COLOUR_STYLE[verdict.colour or 'red']
                    title = _('PASS') if verdict.result == 'pass' else _('STOP')
                with overlay:
                    box = ui.column().classes('w-full h-full items-center justify-center gap-4 p-6 text-center')
                box.style(f'background:{background}; color:{foreground}')
                with box:
                    ui.icon(icon, size='120px')
                    ui.label(title).classes('text-6xl font-black scc-verdict').mark('scc-verdict')
                    if verdict.masked_name:
                        ui.label(verdict.masked_name).classes('text-3xl scc-verdict-name')
                    if verdict.colour:
                        ui.label(_(COLOUR_STYLE[verdict.colour][3])).classes('text-2xl scc-verdict-colour')
                    if verdict.temperature is not None:
                        ui.label(f'{verdict.temperature:.1f} ℃').classes('text-2xl')
                    if verdict.reason:
                        reason = error_text(DomainError(verdict.reason, **verdict.params))
                        ui.label(reason).classes('text-xl scc-verdict-reason').mark('scc-verdict-reason')
                    ui.label(_('Tap to continue')).classes('text-sm opacity-80')
                    ui.timer(3.0, hide, once=True)
                overlay.classes(remove='hidden')
                browser.beep('ok' if verdict.result == 'pass' else 'stop')  # a short high beep, a long low buzz

            def hide() -> None:
                overlay.classes(add='hidden')

            overlay.on('click', hide)

            reads = ReadKeys()

            async def on_scan(text: str) -> None:
                reading = temperature.value or ''
                try:
                    verdict = await call.write(checkpoints.scan, actor=actor, checkpoint_id=checkpoint_id, text=text,
                                               temperature=reading, key=reads.key_for(text, reading))  # fmt: skip
                except DomainError as error:
                    if error.message == checkpoints.NEEDS_READING:  # shown next to the field; nothing recorded
                        needs_reading.set_visibility(True)
                        temperature.run_method('focus')
                        return
                    ui.notify(error_text(error), type='negative', position='center', multi_line=True)
                    return
                needs_reading.set_visibility(False)
                temperature.value = ''
                show(verdict)

            scanner(on_scan)
            ui.label(_('Only the colour and a masked name are shown. Every check is recorded.')).classes(
                'text-xs text-gray-600')  # fmt: skip

    @page('/checkpoint/{checkpoint_id}/poster', roles=(Role.checkpoint,), layout='staff')
    async def poster(checkpoint_id: int) -> None:
        actor = current_actor()
        token = await call.attempt(checkpoints.poster_token, actor=actor, checkpoint_id=checkpoint_id)
        if token is None:
            return
        checkpoint = await call.read(checkpoints.get_checkpoint, checkpoint_id=checkpoint_id)
        with ui.column().classes('w-full max-w-[520px] mx-auto items-center gap-3 text-center scc-poster'):
            ui.label(checkpoint.name_zh).classes('text-3xl font-bold')
            ui.label(checkpoint.name_en).classes('text-xl')
            qr_code(token, label=_('Checkpoint poster code'), classes='w-full max-w-[360px]').mark('scc-poster-qr')
            ui.label('出示健康码：绿码通行。进入后在“健康码”页点“我已通过”并扫描此码。').classes('text-lg')
            ui.label("Show your health code: green passes. Then tap 'I passed' on your code screen and scan this."
                     ).classes('text-base')  # fmt: skip
            ui.label(token).classes('text-[8px] break-all text-gray-500 scc-poster-token').mark('scc-poster-token')
            ui.button(_('Print'), icon='print', on_click=lambda: ui.run_javascript('window.print()')).props(
                'outline no-caps').classes('print:hidden')  # fmt: skip


class ReadKeys:
    """The idempotency key of each scanner read: the same code read again soon (the camera sees the QR twice, a
    scanner repeats, Enter is pressed twice) is the same pass, so it is recorded once; a new temperature makes it
    a new check."""

    REPEAT_S = 60.0  # a live code is valid 60 s: within that, the same text is the same person at the same gate

    def __init__(self) -> None:
        self._last: tuple[str, str, str, float] = ('', '', '', 0.0)  # text, reading, key, when

    def key_for(self, text: str, reading: str) -> str:
        """The key for reading `text` (with the temperature `reading`, '' when none) now."""
        last_text, last_reading, key, at = self._last
        repeat = text == last_text and reading in ('', last_reading) and time.monotonic() - at < self.REPEAT_S
        if not repeat:
            key, last_reading = new_key(), reading
        self._last = (text, last_reading, key, time.monotonic())
        return key


def show_code_help(checkpoint: CheckpointPublic) -> None:
    """What staff do in 'show code' mode: look at the live screen; residents record their own pass."""
    with ui.card().classes('w-full gap-2'):
        ui.label(_('Show code mode')).classes('text-lg font-bold')
        ui.label(_('Look at the resident\'s live screen: the clock ticks and the band moves. Only a green code '
                   'passes.'))  # fmt: skip
        ui.label(_("Residents tap 'I passed' and scan this checkpoint's poster: the pass is recorded.")).classes(
            'text-sm')  # fmt: skip
        for colour in ('green', 'yellow', 'red'):
            background, foreground, icon, word = COLOUR_STYLE[colour]
            with ui.row().classes('items-center gap-2 p-2 rounded w-full').style(
                    f'background:{background}; color:{foreground}'):  # fmt: skip
                ui.icon(icon)
                ui.label(f'{_(word)} — {_(COLOUR_WORD[colour])}')
