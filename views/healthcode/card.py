"""The resident's live code as a component: it flips colour in place and renews its QR without new elements."""

import time
from collections.abc import Awaitable, Callable

from nicegui import ui

from models.common import utcnow
from services.healthcode.codes import LiveCode
from views.healthcode.widgets import COLOUR_STYLE, explanation_card, note_text
from views.kit import browser
from views.kit.fmt import city_time
from views.kit.i18n import _
from views.kit.qr import qr_code, qr_svg


def valid_text(code: LiveCode) -> str:
    """'Valid until 10:31 · refreshes every 30 s'."""
    return _('Valid until {time} · refreshes every 30 s', time=city_time(code.expires_at, '%H:%M'))


def city_date() -> str:
    """Today in the city, shown above the ticking clock (a screenshot from yesterday shows the wrong day)."""
    return city_time(utcnow(), '%Y-%m-%d')


def signature(code: LiveCode) -> tuple[object, ...]:
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


class CodeCard(ui.column):
    """The full-width code of one person: colour, icon and words, masked name, QR, live clock and moving band."""

    def __init__(self, code: LiveCode, *, on_refresh: Callable[[], Awaitable[None]] | None = None) -> None:
        super().__init__()
        self.person_id = code.person_id
        self.colour = code.colour
        background, foreground, icon, word = COLOUR_STYLE[code.colour]
        self.classes(f'w-full items-center gap-2 p-4 rounded-xl scc-code scc-code-{code.colour}')
        self.style(f'background:{background}; color:{foreground}').mark('scc-code')
        with self:
            self.banner = ui.label('').classes('text-base font-bold scc-changed')
            self.banner.set_visibility(False)
            with ui.row().classes('items-center gap-2 no-wrap'):
                self.icon_element = ui.icon(icon, size='40px')
                self.word_label = ui.label(_(word)).classes('text-3xl font-bold scc-colour-word')
                self.word_label.mark('scc-colour-word')
            who = f'{code.relation} · {code.masked_name}' if code.relation else code.masked_name
            ui.label(who).classes('text-lg')
            self.qr = qr_code(code.token, label=_('Health code'), classes='w-full max-w-[280px] bg-white p-2 rounded')
            self.token_label = ui.label(code.token).classes('hidden scc-token').mark('scc-token')
            self.date_label = ui.label(city_date()).classes('text-lg font-mono scc-code-date').mark('scc-code-date')
            browser.city_clock(classes='text-4xl font-mono font-bold')
            ui.element('div').classes('scc-band w-full rounded')
            self.valid_label = ui.label(valid_text(code)).classes('text-xs')
            if on_refresh is not None:  # re-issue now (a checkpoint asks for a fresh code, or the phone slept)
                ui.button(_('Refresh code'), icon='refresh', on_click=on_refresh).props('outline no-caps').classes(
                    'scc-code-refresh'
                ).style('color: inherit !important').mark('scc-code-refresh')  # the code's text colour, on any colour

    def renew(self, code: LiveCode) -> None:
        """The periodic refresh when nothing but the token changed: three properties, no new elements."""
        self.qr.set_content(qr_svg(code.token, label=_('Health code')))
        if 'scc-stale' in self.classes:
            self.classes(remove='scc-stale')
        self.token_label.set_text(code.token)
        self.valid_label.set_text(valid_text(code))
        self.date_label.set_text(city_date())

    def flip(self, colour: str, note: str, *, banner: bool = True) -> None:
        """Change colour at once (cheap: a few properties), before the new token and explanation arrive."""
        if colour not in COLOUR_STYLE:
            return
        background, foreground, icon, word = COLOUR_STYLE[colour]
        self.classes(remove=f'scc-code-{self.colour}', add=f'scc-code-{colour}')
        self.style(f'background:{background}; color:{foreground}')
        self.icon_element.name = icon
        self.word_label.text = _(word)
        self.colour = colour
        self.classes(add='scc-stale')  # dims the QR: it carries the old colour until the new token arrives
        if banner:
            reason = f' {_("Reason given: {note}", note=note_text(note))}' if note else ''
            self.banner.set_text(_('Your code changed just now.') + reason)
        self.banner.set_visibility(banner)
