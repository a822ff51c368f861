"""A code scanner for staff pages: the phone's camera (BarcodeDetector, else the bundled jsQR), an always-focused
input for a hardware scanner (it types the code and presses Enter), and manual entry of a short code. Its script is
`scc.scanner` in assets/kit/scc.js, which every page loads.

    scanner(on_scan)             # on_scan(text) may be async; called once per code read
    scanner(on_scan, camera=False)
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from views.kit.i18n import _


class Scanner(ui.column):
    """The scanner element: camera view (optional), code input, and a button to check what was typed."""

    def __init__(self, on_scan: Callable[[str], Awaitable[Any] | Any], *, camera: bool = True) -> None:
        super().__init__()
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
                ui.button(icon='check', on_click=self._submit_typed).props(
                    f'unelevated aria-label="{_("Check the code")}"'
                ).tooltip(_('Check the code')).classes('scc-scanner-submit').mark('scc-scanner-submit')
        self.on('scc_scan', self._camera_read, ['detail'])
        ui.run_javascript(f'scc.scanner.keepFocus("c{self.input.id}")')

    async def start_camera(self) -> None:
        """Ask for the camera and scan continuously (HTTPS or localhost only)."""
        self.video.set_visibility(True)
        state = await ui.run_javascript(f'scc.scanner.start("c{self.video.id}", "c{self.id}")', timeout=20)
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
