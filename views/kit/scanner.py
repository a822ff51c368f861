"""A code scanner for staff pages: the phone's camera (BarcodeDetector, else the bundled jsQR), an always-focused
input for a hardware scanner (it types the code and presses Enter), and manual entry of a short code.

    scanner(on_scan)             # on_scan(text) may be async; called once per code read
    scanner(on_scan, camera=False)
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import app, ui

from services.settings import ROOT
from views.kit.i18n import _

VENDOR_URL = '/vendor/jsqr'
_served = False

SCANNER_JS = r"""
<script>
window.sccScanner = window.sccScanner || (function () {
  const running = {};
  let jsqrLoading = null;
  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    if (!jsqrLoading) jsqrLoading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '%VENDOR%/jsQR.js'; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
    return jsqrLoading;
  }
  async function makeDetector() {
    if ('BarcodeDetector' in window) {
      try {
        const formats = await BarcodeDetector.getSupportedFormats();
        if (formats.includes('qr_code')) {
          const d = new BarcodeDetector({formats: ['qr_code']});
          return async (video) => { const r = await d.detect(video); return r.length ? r[0].rawValue : null; };
        }
      } catch (e) { /* fall back to jsQR */ }
    }
    await loadJsQR();
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    return async (video) => {
      const w = Math.min(640, video.videoWidth || 0); if (!w) return null;
      const h = Math.round(w * video.videoHeight / video.videoWidth);
      canvas.width = w; canvas.height = h; ctx.drawImage(video, 0, 0, w, h);
      const r = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, {inversionAttempts: 'dontInvert'});
      return r ? r.data : null;
    };
  }
  async function start(videoId, rootId) {
    const video = document.getElementById(videoId), root = document.getElementById(rootId);
    if (!video || !root || running[videoId]) return 'running';
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return 'unsupported';
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}, audio: false});
    } catch (e) { return 'denied'; }
    video.srcObject = stream; await video.play();
    const detect = await makeDetector();
    const state = running[videoId] = {stream, last: '', lastAt: 0};
    const loop = async () => {
      if (running[videoId] !== state || !document.body.contains(video)) { stop(videoId); return; }
      try {
        const text = await detect(video);
        const now = Date.now();
        if (text && (text !== state.last || now - state.lastAt > 3000)) {
          state.last = text; state.lastAt = now;
          root.dispatchEvent(new CustomEvent('scc_scan', {detail: text}));
        }
      } catch (e) { /* a frame that failed to decode */ }
      setTimeout(loop, 150);
    };
    loop();
    return 'started';
  }
  function stop(videoId) {
    const state = running[videoId];
    if (state) { state.stream.getTracks().forEach(t => t.stop()); delete running[videoId]; }
    const video = document.getElementById(videoId); if (video) video.srcObject = null;
  }
  function keepFocus(inputId) {
    const refocus = () => setTimeout(() => {
      const input = document.getElementById(inputId); if (!input) return;
      const a = document.activeElement;
      if (a && a !== document.body && ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(a.tagName)) return;
      input.focus();
    }, 150);
    document.addEventListener('focusout', refocus);
    document.addEventListener('click', refocus);
    refocus();
  }
  return {start, stop, keepFocus};
})();
</script>
"""


def _serve_vendor() -> None:
    global _served
    if not _served:
        app.add_static_files(VENDOR_URL, ROOT / 'assets' / 'vendor' / 'jsqr')
        _served = True


class Scanner(ui.column):
    """The scanner element: camera view (optional), code input, and a button to check what was typed."""

    def __init__(self, on_scan: Callable[[str], Awaitable[Any] | Any], *, camera: bool = True) -> None:
        super().__init__()
        _serve_vendor()
        ui.add_body_html(SCANNER_JS.replace('%VENDOR%', VENDOR_URL))
        self._on_scan = on_scan
        self._busy = False
        self.classes('w-full gap-2 scc-scanner').mark('scc-scanner')
        with self:
            if camera:
                self.video = ui.element('video').props('playsinline muted autoplay').style('max-height:40vh')
                self.video.classes('w-full rounded bg-black scc-scanner-video')
                self.video.set_visibility(False)
                self.camera_button = ui.button(_('Start camera'), icon='photo_camera', on_click=self.start_camera)
                self.camera_button.props('outline no-caps').classes('w-full').mark('scc-scanner-camera')
            with ui.row().classes('w-full no-wrap items-center gap-2'):
                self.input = ui.input(_('Scan, or type the short code')).props('outlined autofocus clearable')
                self.input.props('autocomplete=off autocapitalize=characters spellcheck=false')
                self.input.classes('grow scc-scanner-input').mark('scc-scanner-input')
                self.input.on('keydown.enter', self._submit_typed)
                ui.button(icon='check', on_click=self._submit_typed).props('unelevated').classes(
                    'scc-scanner-submit'
                ).mark('scc-scanner-submit')
        self.on('scc_scan', self._camera_read, ['detail'])
        ui.run_javascript(f'sccScanner.keepFocus("c{self.input.id}")')

    async def start_camera(self) -> None:
        """Ask for the camera and scan continuously (HTTPS or localhost only)."""
        self.video.set_visibility(True)
        state = await ui.run_javascript(f'sccScanner.start("c{self.video.id}", "c{self.id}")', timeout=20)
        if state in ('denied', 'unsupported'):
            self.video.set_visibility(False)
            ui.notify(_('The camera is not available here: use a scanner or type the code.'), type='warning')
        else:
            self.camera_button.set_visibility(False)

    async def _camera_read(self, event: Any) -> None:
        detail = event.args.get('detail') if isinstance(event.args, dict) else None
        if isinstance(detail, str):
            await self._deliver(detail)

    async def _submit_typed(self) -> None:
        text = (self.input.value or '').strip()
        self.input.value = ''
        if text:
            await self._deliver(text)

    async def _deliver(self, text: str) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            result = self._on_scan(text[:2000])
            if inspect.isawaitable(result):
                await result
        finally:
            self._busy = False
            self.input.run_method('focus')


def scanner(on_scan: Callable[[str], Awaitable[Any] | Any], *, camera: bool = True) -> Scanner:
    """Add a scanner to the page; `on_scan(text)` is called for each code read (camera, scanner or typed)."""
    return Scanner(on_scan, camera=camera)
