"""The resident's health code screen: live signed QR, colour in words, explanation, family switch, 'I passed'."""

import logging
from collections.abc import Awaitable
from typing import Any

from fastapi.responses import JSONResponse
from nicegui import app, ui
from nicegui.events import ValueChangeEventArguments

from models.accounts import Role
from services.access import Actor
from services.errors import N_
from services.foundation import people
from services.healthcode import CODE_CHANGED, CodeChanged, checkpoints, codes, keys
from services.healthcode.rules import rulebook
from views.healthcode.card import CodeCard, reasons_section, signature
from views.healthcode.widgets import COLOUR_STYLE
from views.kit import call, live
from views.kit.actions import new_key
from views.kit.background import at_start, every
from views.kit.fmt import city_time
from views.kit.frame import StaffLink, add_home_section, add_staff_link, current_actor, page
from views.kit.i18n import _, pick
from views.kit.scanner import scanner

log = logging.getLogger(__name__)
REFRESH_S = 30  # every open screen re-issues its code this often (a live code is valid 60 s)
# A change that reaches more people than this in one transaction is a mass change (contact tracing, a building):
# each open screen flips at once, and its own REFRESH_S tick (spread over 30 s by when each screen was opened)
# brings the new QR and explanation, instead of every screen re-issuing its code in the same second.
MASS_CHANGE = 3
PURGE_EVERY_S = 3600  # pass records past their retention period are deleted hourly (and once at start-up)


def register() -> None:
    add_home_section(10, healthcode_home_section)
    add_staff_link(StaffLink('/checkpoint', N_('Checkpoint'), 'qr_code_scanner', (Role.checkpoint,)))
    add_staff_link(StaffLink('/admin/healthcode', N_('Health codes'), 'health_and_safety', (Role.admin,)))
    at_start(_ensure_key)  # after the migrations: the key table exists
    every(PURGE_EVERY_S, _purge, immediate=True)

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
        if len(household) > 1:
            options = {p.id: _('Me') if p.id == actor.person_id else f'{p.relation or ""} {p.masked_name}'.strip()
                       for p in household}  # fmt: skip

            async def switch(event: ValueChangeEventArguments[Any]) -> None:
                state['person'] = next(p for p in household if p.id == event.value)
                await show()

            ui.toggle(options, value=selected.id, on_change=switch).props(
                'no-caps spread toggle-color=primary toggle-text-color=white text-color=primary'
            ).classes('w-full')
        holder = ui.column().classes('w-full gap-3')
        card: CodeCard | None = None
        reasons: ui.column | None = None
        shown: tuple[object, ...] = ()

        async def show() -> None:
            nonlocal card, reasons, shown
            try:
                code = await call.read(codes.issue_code, actor=actor, person_id=state['person'].id)
            except Exception:
                log.exception('could not issue a code')
                return
            if code is None:  # cancelled: the client went away
                return
            if card is None or reasons is None or card.person_id != code.person_id:  # first, or another member
                holder.clear()
                with holder:
                    card = CodeCard(code, on_refresh=show)
                    reasons = ui.column().classes('w-full gap-3')
                shown = ()
            elif card.colour != code.colour:
                card.flip(code.colour, '', banner=False)
            card.renew(code)
            if shown != signature(code):  # the explanation changed (or its countdown moved on)
                shown = signature(code)
                reasons.clear()
                with reasons:
                    reasons_section(code)

        def changed(change: CodeChanged) -> Awaitable[None] | None:
            if card is None or change.person_id != state['person'].id:
                return None  # a family member who is not shown right now
            card.flip(change.colour, change.note)
            return show() if change.changed_together <= MASS_CHANGE else None  # a lone change: re-issue at once

        await show()
        live.tick(REFRESH_S, show)
        for member in household:
            live.on(CODE_CHANGED, changed, key=member.subject_id)
        await actions(state)

    async def actions(state: dict[str, Any]) -> None:
        actor = current_actor()
        assert actor is not None
        short_label = ui.label('').classes('text-2xl font-mono font-bold text-center w-full').mark('scc-short-code')

        async def short() -> None:
            code = await call.attempt(codes.new_short_code, actor=actor, person_id=state['person'].id)
            if code:
                short_label.text = _('Short code: {code} (3 min)', code=f'{code[:4]} {code[4:]}')

        def pass_dialog() -> None:  # built when needed: most code screens never open it
            # One pass per opening: every read in this dialog carries its key, so a second read of the poster (the
            # camera keeps looking until the dialog is gone) or a retry returns the first verdict, recording nothing.
            # A refused read rolls back with its key, so the right poster may still be scanned under it.
            key = new_key()
            with ui.dialog() as dialog, ui.card().classes('w-full gap-2'):
                ui.label(_('Scan the QR poster of the checkpoint')).classes('font-bold')

                async def poster_read(text: str) -> None:
                    verdict = await call.attempt(checkpoints.show_code_pass, actor=actor,
                                                 person_id=state['person'].id, poster=text, key=key)  # fmt: skip
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
                'grow scc-i-passed').mark('scc-i-passed')  # fmt: skip
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
                    ui.label(f'{city_time(item.at)} · {pick(item.checkpoint_zh, item.checkpoint_en)} · {word}{temp}'
                             ).classes('text-sm scc-pass-item')  # fmt: skip

        async def on_open(event: ValueChangeEventArguments[Any]) -> None:
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
            background, _fg, icon, word = COLOUR_STYLE.get(rule.colour, COLOUR_STYLE['yellow'])
            with ui.card().classes('w-full gap-1 scc-rule').style(f'border-left: 6px solid {background}'):
                with ui.row().classes('items-center no-wrap gap-2'):  # the reader's language only: no ids
                    ui.icon(icon).style(f'color: {background if rule.colour != "yellow" else "#a16207"}')
                    ui.label(_(word)).classes('text-sm font-bold').mark('scc-rule-colour')
                ui.label(pick(rule.text_zh, rule.text_en)).classes('font-bold').mark('scc-rule-text')
                ui.label(pick(rule.ends_zh, rule.ends_en)).classes('text-sm').mark('scc-rule-ends')
        with ui.expansion(_('The rules file (JSON)')).classes('w-full'):
            ui.code(book.raw, language='json').classes('w-full text-xs')


async def healthcode_home_section(actor: Actor) -> None:
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
    live.on(CODE_CHANGED, lambda change: card.refresh(change.colour), key=subject)


async def _ensure_key() -> None:
    await call.io(keys.ensure_key)


async def _purge() -> None:
    try:
        await call.write(checkpoints.purge_passes)
    except Exception:
        log.exception('purging pass records failed')
