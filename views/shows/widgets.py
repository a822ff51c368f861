"""Pieces shared by the show pages: badges, titles, times and countdowns (the browser kit ticks them), the player."""

from nicegui import ui

from models.shows import ShowPublic, ShowState
from services.errors import N_
from services.shows.common import venue_time
from services.shows.lifecycle import STATE_LABELS
from views.kit import browser
from views.kit.i18n import _, is_zh, pick

S = ShowState
BADGE_BASE = 'scc-show-state px-2 py-0.5 rounded text-xs font-bold'
BADGE_COLOURS = {
    S.live: 'bg-red-700 text-white',
    S.starting_soon: 'bg-amber-600 text-white',
    S.scheduled: 'bg-gray-200 text-gray-900',
    S.postponed: 'bg-orange-100 text-orange-900',
    S.cancelled: 'bg-gray-700 text-white',
    S.ended: 'bg-gray-200 text-gray-700',
    S.replay: 'bg-blue-700 text-white',
}


def title(show: ShowPublic) -> str:
    """The show's title in the reader's language."""
    return show.title_zh if is_zh() else show.title_en


def troupe_and_venue(show: ShowPublic) -> str:
    """ "Troupe · venue" in the reader's language (each name in the other language when that one is empty)."""
    troupe = pick(show.troupe or show.troupe_en, show.troupe_en or show.troupe)
    venue = pick(show.venue or show.venue_en, show.venue_en or show.venue)
    return f'{troupe} · {venue}'


def description(show: ShowPublic) -> str:
    """The show's description in the reader's language (the other one when that is empty)."""
    first, second = (
        (show.description_zh, show.description_en) if is_zh() else (show.description_en, show.description_zh)
    )
    return first or second


def badge(show: ShowPublic) -> ui.label:
    """The state as a coloured badge (LIVE in red)."""
    label = ui.label(_(STATE_LABELS[show.state])).classes(f'{BADGE_BASE} {BADGE_COLOURS[show.state]}')
    return label.mark('scc-show-state')


def set_badge(label: ui.label, show: ShowPublic) -> None:
    """Update a badge in place (cheaper than rebuilding it on every open page)."""
    label.text = _(STATE_LABELS[show.state])
    label.classes(replace=f'{BADGE_BASE} {BADGE_COLOURS[show.state]}')


def use_player() -> None:
    """Load the bundled HLS player library (hls.js) on a page with a video; scc.js attaches it to the video."""
    ui.add_head_html(f'<script src="{browser.VENDOR_URL}/hls.light.min.js" defer></script>')


def times(show: ShowPublic) -> None:
    """Start in venue time, and (filled in by the browser) in the phone's own time zone."""
    start = venue_time(show.starts_at, show.timezone)
    end = venue_time(show.ends_at, show.timezone)
    ui.label(
        _('{start} – {end} venue time (Beijing time)', start=f'{start:%Y-%m-%d %H:%M}', end=f'{end:%H:%M}')
    ).classes('text-sm scc-venue-time').mark('scc-venue-time')
    with ui.row().classes('gap-1 text-xs text-gray-600 items-center'):
        ui.label(_('Your time:'))
        browser.local_time(show.starts_at)


def countdown(show: ShowPublic) -> None:
    """ "Starts in 01:02:03", kept right by the server's clock."""
    with ui.row().classes('gap-1 items-center text-sm'):
        ui.icon('schedule', size='18px')
        ui.label(_('Starts in'))
        browser.countdown(show.starts_at, classes='font-mono font-bold')


def poster(show: ShowPublic, *, size: str = 'small', classes: str = '') -> None:
    """The poster thumbnail, or a placeholder icon."""
    if show.poster:
        image = ui.image(f'/shows/poster/{show.poster}-{size}.jpg').classes(classes).props('fit=cover')
        image.props['alt'] = title(show)
    else:
        with ui.element('div').classes(f'{classes} bg-primary/10 flex items-center justify-center'):
            ui.icon('theater_comedy', size='40px', color='primary')


# Quasar's uploader header counts "0.0B / 0.00%" (bytes and percent uploaded) before anything was chosen: raw
# figures that say nothing to an organizer (a small poster or CSV goes up at once; the toast tells how it went).


def uploader(element: ui.upload) -> ui.upload:
    """An uploader without Quasar's raw size and progress counter (its label names what to choose)."""
    return element.props('flat bordered').classes('scc-uploader')


NOT_AVAILABLE = N_('The stream is not available right now. Try a platform link below.')
NO_STREAM = N_('This performance is not streamed in the app. Watch it on a platform below.')
