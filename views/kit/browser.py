"""The browser kit: one script and one stylesheet for every page (assets/kit/scc.js, scc.css), and the Python side
of what they do — the city clock, "updated N s ago", countdowns, local times, beeps, the audio unlock.

The frame calls `use()` once per page; widgets only set data attributes that the script's one ticker reads, so
the server sends nothing for clocks (never a timer per client on the server).
"""

import json
import time
from datetime import datetime
from typing import Literal

from nicegui import app, ui

from services.city import current_city
from services.settings import ROOT
from views.kit.fmt import city_time
from views.kit.i18n import _

KIT_URL = '/assets/kit'
VENDOR_URL = '/assets/vendor'
Sound = Literal['ok', 'stop', 'call', 'urgent']


def serve() -> None:
    """Serve the kit's and the bundled libraries' files (once: a test's app reset may have removed them)."""
    mounted = {getattr(route, 'path', '') for route in app.routes}
    for url, folder in ((KIT_URL, 'kit'), (VENDOR_URL, 'vendor')):
        if url not in mounted:
            app.add_static_files(url, ROOT / 'assets' / folder)


def use() -> None:
    """Load the kit in this page and tell it the server's time and the city's time zone."""
    options = json.dumps({'serverMs': int(time.time() * 1000), 'zone': current_city().timezone})
    ui.add_head_html(
        f'<link rel="stylesheet" href="{KIT_URL}/scc.css">'
        f'<script src="{KIT_URL}/scc.js"></script><script>scc.configure({options});</script>'
    )


def city_clock(*, classes: str = '') -> ui.label:
    """The time of day in the city, ticking in the browser (HH:MM:SS; the first text is the server's)."""
    return ui.label(city_time(datetime.now().astimezone(), '%H:%M:%S')).classes(f'scc-clock {classes}')


def ago(timestamp: float, *, fmt: str = '') -> ui.label:
    """'updated N s ago' (or `fmt` with {n}), counted by the browser from `timestamp`; `set_ago` moves it."""
    fmt = fmt or _('updated {n} s ago')
    label = ui.label(fmt.replace('{n}', str(max(0, round(time.time() - timestamp))))).classes('text-xs text-gray-600')
    label.classes('scc-ago')
    label.props['data-fmt'] = fmt
    label.props['data-scc-ago'] = f'{timestamp:.1f}'
    return label


def set_ago(label: ui.label, timestamp: float) -> None:
    """Restart an 'updated N s ago' clock at `timestamp`."""
    label.props['data-scc-ago'] = f'{timestamp:.1f}'
    label.text = str(label.props.get('data-fmt', '{n}')).replace('{n}', str(max(0, round(time.time() - timestamp))))


def countdown(until: datetime, *, fmt: str = '{t}', done: str | None = None, classes: str = '') -> ui.label:
    """A countdown to `until` by the server's clock: '{t}' in `fmt` becomes '2d 03:04:05'; `done` once it passed."""
    label = ui.label('').classes(f'scc-countdown {classes}')
    label.props['data-scc-until'] = f'{until.timestamp():.0f}'
    label.props['data-fmt'] = fmt
    label.props['data-day'] = _('d')  # the unit after the number of days: "2d 03:04:05"
    if done is not None:
        label.props['data-done'] = done
    return label


def local_time(moment: datetime) -> ui.element:
    """`moment` in the phone's own time zone, with the zone's name (filled in by the browser)."""
    return ui.element('span').props(f'data-scc-local={int(moment.timestamp() * 1000)}')


def beep(sound: Sound) -> None:
    """Play a short tone in this page: 'ok', 'stop' (a long low buzz), 'call', 'urgent' (three rising tones)."""
    ui.run_javascript(f'scc.beep({json.dumps(sound)})')


def unlock_audio() -> None:
    """Create the page's audio context during a click, so that later beeps may play (browsers' autoplay rule)."""
    ui.run_javascript('scc.unlockAudio()')
