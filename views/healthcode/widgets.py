"""Shared pieces of the health code pages: colour styles and words, rule explanations (QR codes: views.kit.qr)."""

import re
from datetime import datetime

from nicegui import ui

from services.errors import N_
from services.healthcode.codes import Explanation
from views.kit.fmt import city_time
from views.kit.i18n import _, pick

COLOUR_STYLE = {
    'green': ('#15803d', '#ffffff', 'check_circle', N_('Green code')),
    'yellow': ('#facc15', '#111827', 'warning', N_('Yellow code')),
    'red': ('#b91c1c', '#ffffff', 'block', N_('Red code')),
}
COLOUR_WORD = {'green': N_('green'), 'yellow': N_('yellow'), 'red': N_('red')}
RECORD_KIND = {
    'declaration': N_('Self-declaration'),
    'temperature': N_('Temperature reading'),
    'test': N_('Nucleic acid test'),
    'official': N_('Official list'),
    'clinic': N_('Fever clinic'),
    'manual': N_('Set by a city admin'),
}

NOTE_WORDS = {'consultation': N_('fever clinic consultation')}  # notes the services write as '<kind>:<id>'
INTERNAL_NOTE = re.compile(r'([a-z_]+):\d+')


def note_text(note: str) -> str:
    """A record's note in words: an internal reference ('consultation:11') as what it is, else the note as given."""
    internal = INTERNAL_NOTE.fullmatch(note.strip())
    if internal and internal.group(1) in NOTE_WORDS:
        return _(NOTE_WORDS[internal.group(1)])
    return note


def countdown(until: datetime, now: datetime) -> str:
    """'3 d 4 h' / '25 min' until `until`."""
    seconds = max(0, int((until - now).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return _('{days} d {hours} h', days=days, hours=hours)
    if hours:
        return _('{hours} h {minutes} min', hours=hours, minutes=rest // 60)
    return _('{minutes} min', minutes=max(1, rest // 60))


def explanation_card(reason: Explanation, now: datetime) -> None:
    """One reason: the rule, the record (when, where, why) and how or when it turns green."""
    background, _fg, icon, _word = COLOUR_STYLE[reason.colour]
    with ui.card().classes('w-full gap-1 scc-reason').style(f'border-left: 6px solid {background}'):
        with ui.row().classes('items-center no-wrap gap-2'):
            ui.icon(icon).style(f'color: {background if reason.colour != "yellow" else "#a16207"}')
            ui.label(pick(reason.text_zh, reason.text_en)).classes('font-bold').mark('scc-reason-rule')
        place = pick(reason.place_zh or reason.place, reason.place_en or reason.place)
        where = f' · {place}' if place else ''
        ui.label(f'{_(RECORD_KIND.get(reason.record_kind, reason.record_kind))}: {city_time(reason.record_at)}{where}')
        if reason.note:
            ui.label(_('Reason given: {note}', note=note_text(reason.note))).classes('text-sm scc-reason-note').mark(
                'scc-reason-note'
            )
        ui.label(pick(reason.ends_zh, reason.ends_en)).classes('text-sm text-gray-700')
        if reason.until is not None:
            ui.label(_('Ends at {time} (in {left})', time=city_time(reason.until), left=countdown(reason.until, now))
                     ).classes('text-sm font-bold').mark('scc-reason-countdown')  # fmt: skip
        elif reason.needs_test:
            ui.label(_('Needs a negative nucleic acid test.')).classes('text-sm font-bold')
