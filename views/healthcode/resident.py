"""The resident's health code screen: live signed QR, colour in words, explanation, family switch, 'I passed'."""

import asyncio
import logging
import time
from datetime import timedelta, timezone
from typing import Any

from fastapi.responses import JSONResponse
from nicegui import app, background_tasks, ui

from models.accounts import Role
from models.common import utcnow
from services.errors import N_
from services.events import DomainEvent
from services.foundation import people
from services.healthcode import CHANGED, checkpoints, codes, keys
from services.healthcode.codes import LiveCode
from services.healthcode.rules import rulebook
from views.healthcode.widgets import BAND_CSS, COLOUR_STYLE, explanation_card, fmt_time, qr_svg
from views.kit import call, live
from views.kit.frame import StaffLink, add_home_section, add_staff_link, current_actor, page
from views.kit.i18n import _, is_zh, pick
from views.kit.scanner import scanner

log = logging.getLogger(__name__)
CITY_TZ = timezone(timedelta(hours=8))
REFRESH_S = 30
CLOCK_JS = """
if (!window.sccClock) { window.sccClock = setInterval(() => {
  const t = new Date().toLocaleTimeString('zh-CN', {hour12: false, timeZone: 'Asia/Shanghai'});
  document.querySelectorAll('.scc-clock').forEach(e => { e.textContent = t; });
}, 1000); }
"""
_started = False


def code_card(code: LiveCode) -> dict[str, Any]:
    """The full-width code: colour, icon and words, masked name, QR, live clock and moving band."""
    background, foreground, icon, word = COLOUR_STYLE[code.colour]
    card = ui.column().classes(f'w-full items-center gap-2 p-4 rounded-xl scc-code scc-code-{code.colour}')
    card.style(f'background:{background}; color:{foreground}').mark('scc-code')
    with card:
        banner = ui.label('').classes('text-base font-bold scc-changed')
        banner.set_visibility(False)
        with ui.row().classes('items-center gap-2 no-wrap'):
            icon_element = ui.icon(icon, size='40px')
            word_label = ui.label(_(word)).classes('text-3xl font-bold scc-colour-word').mark('scc-colour-word')
        who = f'{code.relation} · {code.masked_name}' if code.relation else code.masked_name
        ui.label(who).classes('text-lg')
        qr = ui.html(qr_svg(code.token), sanitize=False).classes('scc-qr w-full max-w-[280px] bg-white p-2 rounded')
        token = ui.label(code.token).classes('hidden scc-token').mark('scc-token')
        ui.label(utcnow().astimezone(CITY_TZ).strftime('%H:%M:%S')).classes('scc-clock text-4xl font-mono font-bold')
        ui.element('div').classes('scc-band w-full rounded')
        valid = ui.label(valid_text(code)).classes('text-xs')
    return {'card': card, 'icon': icon_element, 'word': word_label, 'colour': code.colour, 'qr': qr, 'token': token,
            'valid': valid, 'banner': banner}  # fmt: skip


def valid_text(code: LiveCode) -> str:
    """'Valid until 10:31 · refreshes every 30 s'."""
    return _('Valid until {time} · refreshes every 30 s', time=fmt_time(code.expires_at)[-5:])


def signature(code: LiveCode) -> tuple:
    """What the screen shows besides the token: when it is unchanged, only the QR is replaced."""
    reasons = tuple((r.rule_id, r.record_at, r.note, r.until) for r in code.reasons)
    return code.person_id, code.colour, reasons, int(time.time() // 600)  # countdowns: rebuilt every 10 minutes


def reasons_section(code: LiveCode) -> None:
    """Why this colour: one card per reason in force, then the link to the rules."""
    now = utcnow()
    ui.label(_('Why this colour')).classes('text-lg font-bold')
    if not code.reasons:
        ui.label(_('No rule applies: your records give a green code.')).classes('text-gray-700')
    for reason in code.reasons:
        explanation_card(reason, now)
    ui.link(_('Rules (version {version})', version=code.rules_version), '/code/rules').classes('text-sm')


def renew(view: dict[str, Any], code: LiveCode) -> None:
    """The periodic refresh when nothing but the token changed: three properties, no new elements."""
    view['qr'].set_content(qr_svg(code.token))
    if 'scc-stale' in view['card'].classes:
        view['card'].classes(remove='scc-stale')
    view['token'].set_text(code.token)
    view['valid'].set_text(valid_text(code))


def flip(view: dict[str, Any], colour: str, note: str, *, banner: bool = True) -> None:
    """Change colour at once (cheap: a few properties), before the new token and explanation arrive."""
    if not view or colour not in COLOUR_STYLE:
        return
    background, foreground, icon, word = COLOUR_STYLE[colour]
    card = view['card']
    card.classes(remove=f'scc-code-{view["colour"]}', add=f'scc-code-{colour}')
    card.style(f'background:{background}; color:{foreground}')
    view['icon'].name = icon
    view['word'].text = _(word)
    view['colour'] = colour
    card.classes(add='scc-stale')  # dims the QR: it carries the old colour until the new token arrives
    if banner:
        reason = f' {_("Reason given: {note}", note=note)}' if note else ''
        view['banner'].set_text(_('Your code changed just now.') + reason)
    view['banner'].set_visibility(banner)


class _Pacer:
    """Tells a lone change (refresh the screen at once) from a mass change (1,000 screens flip in the same second:
    each screen has flipped already, and its own 30 s refresh, spread evenly, brings the new QR and explanation)."""

    def __init__(self) -> None:
        self.window_start = 0.0
        self.count = 0

    def alone(self) -> bool:
        now = time.monotonic()
        if now - self.window_start > 1.0:
            self.window_start, self.count = now, 0
        self.count += 1
        return self.count <= 3


_pacer = _Pacer()


def register() -> None:
    add_home_section(10, healthcode_home_section)
    add_staff_link(StaffLink('/checkpoint', N_('Checkpoint'), 'qr_code_scanner', (Role.checkpoint,)))
    add_staff_link(StaffLink('/admin/healthcode', N_('Health codes'), 'health_and_safety', (Role.admin,)))
    global _started
    if not _started:
        _started = True
        app.on_startup(_on_startup)

    @app.get('/.well-known/scc-keys.json')
    async def key_set() -> JSONResponse:
        data = await call.read(keys.key_set)
        return JSONResponse(data, headers={'Cache-Control': 'max-age=60'})

    @page('/code', roles=(Role.resident,))
    async def code_page(person: int | None = None) -> None:
        actor = current_actor()
        assert actor is not None
        household = await call.read(people.household, actor=actor)
        if not household:  # None: the page was abandoned while loading (the client went away)
            return
        selected = next((p for p in household if p.id == person), household[0])
        state: dict[str, Any] = {'person': selected, 'has_family': len(household) > 1}
        ui.add_css(BAND_CSS)
        ui.add_body_html(f'<script>{CLOCK_JS}</script>')
        if len(household) > 1:
            options = {p.id: _('Me') if p.id == actor.person_id else f'{p.relation or ""} {p.masked_name}'.strip()
                       for p in household}  # fmt: skip

            async def switch(event) -> None:  # type: ignore[no-untyped-def]
                state['person'] = next(p for p in household if p.id == event.value)
                await show()

            ui.toggle(options, value=selected.id, on_change=switch).props('no-caps spread').classes('w-full')
        holder = ui.column().classes('w-full gap-3')
        view: dict[str, Any] = {}

        async def show() -> None:
            try:
                code = await call.read(codes.issue_code, actor=actor, person_id=state['person'].id)
            except Exception:
                log.exception('could not issue a code')
                return
            if code is None:  # cancelled: the client went away
                return
            if view.get('person') != code.person_id:  # first time, or another family member: build it all
                holder.clear()
                with holder:
                    view.clear()
                    view.update(code_card(code), person=code.person_id)
                    view['reasons'] = ui.column().classes('w-full gap-3')
            elif view['colour'] != code.colour:
                flip(view, code.colour, '', banner=False)
            renew(view, code)
            if view.get('signature') != signature(code):  # the explanation changed (or its countdown moved on)
                view['signature'] = signature(code)
                view['reasons'].clear()
                with view['reasons']:
                    reasons_section(code)

        await show()
        ui.timer(REFRESH_S, show)

        def on_change(event: DomainEvent) -> None:
            if event.key == state['person'].subject_id:
                flip(view, event.data.get('colour', ''), event.data.get('note', ''))
                if _pacer.alone():
                    background_tasks.create(show(), name='healthcode-refresh')

        for member in household:
            live.on(CHANGED, on_change, key=member.subject_id)
        await actions(state)

    async def actions(state: dict) -> None:
        actor = current_actor()
        assert actor is not None
        short_label = ui.label('').classes('text-2xl font-mono font-bold text-center w-full').mark('scc-short-code')

        async def short() -> None:
            code = await call.attempt(codes.new_short_code, actor=actor, person_id=state['person'].id)
            if code:
                short_label.text = _('Short code: {code} (3 min)', code=f'{code[:4]} {code[4:]}')

        def pass_dialog() -> None:  # built when needed: most code screens never open it
            with ui.dialog() as dialog, ui.card().classes('w-full gap-2'):
                ui.label(_('Scan the QR poster of the checkpoint')).classes('font-bold')

                async def poster_read(text: str) -> None:
                    verdict = await call.attempt(checkpoints.show_code_pass, actor=actor,
                                                 person_id=state['person'].id, poster=text)  # fmt: skip
                    if verdict is not None:
                        dialog.close()
                        place = pick(verdict.params['checkpoint_zh'], verdict.params['checkpoint_en'])
                        ok = verdict.result == 'pass'
                        ui.notify(_('Pass recorded at {place}', place=place) if ok else
                                  _('Not passed at {place}: your code is not green', place=place),
                                  type='positive' if ok else 'negative', position='center')  # fmt: skip
                        await load_history()

                scanner(poster_read)
                ui.button(_('Close'), on_click=dialog.close).props('flat')
            dialog.on('hide', dialog.delete)
            dialog.open()

        with ui.row().classes('w-full gap-2 no-wrap'):
            ui.button(_('Short code'), icon='pin', on_click=short).props('outline no-caps').classes('grow')
            ui.button(_('I passed'), icon='how_to_reg', on_click=pass_dialog).props('unelevated no-caps').classes(
                'grow').mark('scc-i-passed')  # fmt: skip
        with ui.row().classes('w-full gap-4'):
            ui.link(_('Daily health declaration'), '/code/declare').classes('text-sm')
            if state['has_family']:
                ui.link(_('Paper codes for family members'), '/code/paper').classes('text-sm')

        async def load_history() -> None:  # only when opened: page builds stay light
            passes = await call.read(checkpoints.my_passes, actor=actor, person_id=state['person'].id) or []
            listing.clear()
            with listing:
                if not passes:
                    ui.label(_('No checks recorded in the last 28 days.')).classes('text-gray-700')
                for item in passes:
                    word = _('passed') if item.result == 'pass' else _('stopped')
                    temp = f' · {item.temperature:.1f} ℃' if item.temperature is not None else ''
                    ui.label(f'{fmt_time(item.at)} · {pick(item.checkpoint_zh, item.checkpoint_en)} · {word}{temp}'
                             ).classes('text-sm scc-pass-item')  # fmt: skip

        async def on_open(event) -> None:  # type: ignore[no-untyped-def]
            if event.value:
                await load_history()

        with ui.expansion(_('Where my code was checked'), on_value_change=on_open).classes('w-full scc-history'):
            listing = ui.column().classes('w-full gap-1')

    @page('/code/rules', layout='public')
    async def rules_page() -> None:
        book = rulebook()
        ui.label(_('Health code rules')).classes('text-xl font-bold')
        ui.label(_('Version {version}. Red beats yellow beats green.', version=book.version)).classes('text-sm')
        for rule in book.rules.values():
            with ui.card().classes('w-full gap-1'):
                ui.label(f'{rule.id} · {rule.colour}').classes('text-xs font-mono text-gray-600')
                ui.label(pick(rule.text_zh, rule.text_en)).classes('font-bold')
                ui.label(pick(rule.ends_zh, rule.ends_en)).classes('text-sm')
                ui.label(rule.text_en if is_zh() else rule.text_zh).classes('text-xs text-gray-600')
        with ui.expansion(_('The rules file (JSON)')).classes('w-full'):
            ui.code(book.raw, language='json').classes('w-full text-xs')


async def healthcode_home_section(actor) -> None:  # type: ignore[no-untyped-def]
    """Home: the colour in words and a link to the code."""
    found = await call.read(codes.summary, actor=actor)
    if found is None:
        return
    colour, subject = found

    @ui.refreshable
    def card(colour: str) -> None:
        background, foreground, icon, word = COLOUR_STYLE[colour]
        with (
            ui.link(target='/code').classes('w-full no-underline scc-home-code').mark('scc-home-code'),
            ui.row().classes('w-full items-center gap-3 p-4 rounded-xl no-wrap')
            .style(f'background:{background}; color:{foreground}'),
        ):  # fmt: skip
            ui.icon(icon, size='36px')
            with ui.column().classes('gap-0'):
                ui.label(_(word)).classes('text-2xl font-bold')
                ui.label(_('Tap to show your health code')).classes('text-sm')
            ui.space()
            ui.icon('qr_code_2', size='40px')

    card(colour)
    live.on(CHANGED, lambda event: card.refresh(event.data['colour']), key=subject)


async def _on_startup() -> None:
    await call.io(keys.ensure_key)
    background_tasks.create(_purge_loop(), name='healthcode-purge')


async def _purge_loop() -> None:
    while True:
        try:
            await call.write(checkpoints.purge_passes)
        except Exception:
            log.exception('purging pass records failed')
        await asyncio.sleep(3600)
