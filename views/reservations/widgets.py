"""Widgets shared by the reservation pages: browser-side clocks ("updated N s ago", countdowns), QR passes."""

import base64
import io
import time
from datetime import datetime

import qrcode
import qrcode.image.svg
from nicegui import ui

from models.reservations import ResItemPublic
from services.reservations.booking import status_label
from views.kit.fmt import city_time
from views.kit.i18n import _, pick

# One browser-side ticker per page: it rewrites the text of every clock element once a second, so the
# server sends nothing for clocks (never a timer per client on the server).
CLOCK_JS = r"""
<script>
if (!window.sccClock) {
  // Change Vue's own text node when there is one, so later updates from the server still land.
  window.sccSet = (el, text) => {
    if (el.firstChild && el.firstChild.nodeType === 3) el.firstChild.nodeValue = text; else el.textContent = text;
  };
  window.sccClock = setInterval(() => {
    const now = Date.now() / 1000;
    document.querySelectorAll('[data-scc-ago]').forEach(el => {
      const n = Math.max(0, Math.round(now - parseFloat(el.dataset.sccAgo)));
      sccSet(el, (el.dataset.fmt || '{n}').replace('{n}', n));
    });
    document.querySelectorAll('[data-scc-until]').forEach(el => {
      let s = Math.round(parseFloat(el.dataset.sccUntil) - now);
      if (s <= 0) { sccSet(el, el.dataset.done || ''); return; }
      const d = Math.floor(s / 86400); s -= d * 86400;
      const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
      const t = (d ? d + 'd ' : '') + String(h).padStart(2, '0') + ':' + String(m).padStart(2, '0') + ':'
        + String(x).padStart(2, '0');
      sccSet(el, (el.dataset.fmt || '{t}').replace('{t}', t));
    });
  }, 1000);
}
</script>
"""


def add_clock() -> None:
    """Start the browser-side clock on this page."""
    ui.add_body_html(CLOCK_JS)


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


def countdown(until: datetime, *, fmt: str, done: str) -> ui.label:
    """A countdown to `until` ('{t}' in `fmt` is replaced by the time left; `done` once it has passed)."""
    label = ui.label('').classes('scc-countdown')
    label.props['data-scc-until'] = f'{until.timestamp():.0f}'
    label.props['data-fmt'] = fmt
    label.props['data-done'] = done
    return label


def slot_time(starts_at: datetime, ends_at: datetime) -> str:
    """'11-26 09:00–12:00' in the city's time."""
    return f'{city_time(starts_at, "%m-%d %H:%M")}–{city_time(ends_at, "%H:%M")}'


def item_name(item: ResItemPublic) -> str:
    """The item's name in the reader's language."""
    return pick(item.name_zh, item.name_en)


def status_text(status: str) -> str:
    """A reservation status in the reader's language."""
    return _(status_label(status))


def qr_image(text: str, *, size: int = 220) -> ui.image:
    """A QR code of `text` as an inline SVG image."""
    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2).save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode()
    return ui.image(f'data:image/svg+xml;base64,{data}').style(f'width:{size}px;height:{size}px').classes('bg-white')
