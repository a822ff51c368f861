"""Pieces shared by the show pages: the browser clock (countdowns by the server's time), badges, times, player."""

import time

from nicegui import ui

from models.shows import ShowPublic, ShowState
from services.errors import N_
from services.shows.common import venue_time
from services.shows.lifecycle import STATE_LABELS
from views.kit.i18n import _, is_zh

S = ShowState
HLS_URL = '/assets/vendor/hls.light.min.js'
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
# The browser's half: countdowns corrected by the server's clock (offset measured when the page arrives), local
# times in the phone's own time zone, and the player (native HLS where the browser has it, else hls.js).
CLIENT_JS = """
<script>
(function () {
  if (window.sccShows) return;
  const S = window.sccShows = {offset: 0};
  S.sync = function (serverMs) { S.offset = serverMs - Date.now(); };
  const pad = (n) => String(n).padStart(2, '0');
  S.attach = function (v) {
    const url = v.dataset.sccSrc || '';
    if (v._sccUrl === url) return;
    v._sccUrl = url;
    if (v._sccHls) { v._sccHls.destroy(); v._sccHls = null; }
    const box = v.parentElement;
    const fail = () => { box.classList.add('scc-stream-failed'); };
    box.classList.remove('scc-stream-failed');
    if (!url) { v.removeAttribute('src'); return; }
    if (v.canPlayType('application/vnd.apple.mpegurl')) {
      v.onerror = fail; v.src = url;
    } else if (window.Hls && window.Hls.isSupported()) {
      const h = v._sccHls = new window.Hls();
      h.on(window.Hls.Events.ERROR, (_e, d) => { if (d.fatal) { h.destroy(); v._sccHls = null; fail(); } });
      h.loadSource(url); h.attachMedia(v);
    } else { fail(); }
  };
  S.tick = function () {
    const now = Date.now() + S.offset;
    document.querySelectorAll('[data-scc-countdown]').forEach((el) => {
      const left = Math.max(0, Math.floor((Number(el.dataset.sccCountdown) - now) / 1000));
      const d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60);
      el.textContent = (d ? d + (el.dataset.sccDay || 'd') + ' ' : '') + pad(h) + ':' + pad(m) + ':' + pad(left % 60);
    });
    document.querySelectorAll('[data-scc-local]').forEach((el) => {
      if (el.dataset.sccDone === el.dataset.sccLocal) return;
      const t = new Date(Number(el.dataset.sccLocal));
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      el.textContent = t.toLocaleString(document.documentElement.lang || undefined,
        {month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit'}) + ' (' + zone + ')';
      el.dataset.sccDone = el.dataset.sccLocal;
    });
    document.querySelectorAll('video[data-scc-src]').forEach(S.attach);
  };
  setInterval(S.tick, 250);
})();
</script>
<style>
.scc-player { position: relative; width: 100%; background: #000; border-radius: 8px; overflow: hidden; }
.scc-player video { width: 100%; aspect-ratio: 16 / 9; display: block; }
.scc-player .scc-stream-na { display: none; color: #fff; padding: 2rem 1rem; text-align: center; }
.scc-player.scc-stream-failed video { display: none; }
.scc-player.scc-stream-failed .scc-stream-na { display: block; }
.scc-comments p { margin: 0; display: flex; gap: .5rem; align-items: baseline; word-break: break-all;
                  font-size: .875rem; }
.scc-comments small { color: #4b5563; font-size: .75rem; flex-shrink: 0; word-break: normal; }
</style>
"""


def client_clock(*, player: bool = False) -> None:
    """Add the browser script and tell it the server's time now (countdowns then ignore a wrong phone clock)."""
    ui.add_head_html(CLIENT_JS)
    if player:
        ui.add_head_html(f'<script src="{HLS_URL}" defer></script>')
    ui.add_head_html(f'<script>window.sccShows.sync({int(time.time() * 1000)});</script>')


def title(show: ShowPublic) -> str:
    """The show's title in the reader's language."""
    return show.title_zh if is_zh() else show.title_en


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


def times(show: ShowPublic) -> None:
    """Start in venue time, and (filled in by the browser) in the phone's own time zone."""
    start = venue_time(show.starts_at, show.timezone)
    end = venue_time(show.ends_at, show.timezone)
    ui.label(
        _('{start} – {end} venue time (Beijing time)', start=f'{start:%Y-%m-%d %H:%M}', end=f'{end:%H:%M}')
    ).classes('text-sm scc-venue-time').mark('scc-venue-time')
    with ui.row().classes('gap-1 text-xs text-gray-600 items-center'):
        ui.label(_('Your time:'))
        ui.element('span').props(f'data-scc-local={int(show.starts_at.timestamp() * 1000)}')


def countdown(show: ShowPublic) -> None:
    """ "Starts in 01:02:03", kept right by the server's clock."""
    with ui.row().classes('gap-1 items-center text-sm'):
        ui.icon('schedule', size='18px')
        ui.label(_('Starts in'))
        span = ui.element('span').classes('font-mono font-bold scc-countdown')
        span.props['data-scc-countdown'] = str(int(show.starts_at.timestamp() * 1000))
        span.props['data-scc-day'] = _('d')  # the unit after the number of days: "2d 03:04:05"


def poster(show: ShowPublic, *, size: str = 'small', classes: str = '') -> None:
    """The poster thumbnail, or a placeholder icon."""
    if show.poster:
        image = ui.image(f'/shows/poster/{show.poster}-{size}.jpg').classes(classes).props('fit=cover')
        image.props['alt'] = title(show)
    else:
        with ui.element('div').classes(f'{classes} bg-primary/10 flex items-center justify-center'):
            ui.icon('theater_comedy', size='40px', color='primary')


NOT_AVAILABLE = N_('The stream is not available right now. Try a platform link below.')
