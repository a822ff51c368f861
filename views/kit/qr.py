"""QR codes for every page, one way: a compact SVG drawn by the server (no image file, no script).

`qr_svg(text)` gives the SVG text (a live health code re-draws it often: it must be cheap); `qr_code(text, label=)`
adds it to the page as one element with an accessible name.
"""

import html

import qrcode
import qrcode.constants
from nicegui import ui


def qr_svg(text: str, *, error_correction: int = qrcode.constants.ERROR_CORRECT_M, label: str = '') -> str:
    """A QR code as a small SVG: one path with one run per row of dark modules, quiet zone of 2."""
    # A fixed mask pattern skips the search for the best of eight (10x faster; every mask decodes).
    qr = qrcode.QRCode(error_correction=error_correction, border=0, mask_pattern=2)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix) + 4
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f'M{start + 2} {y + 2}h{x - start}v1h-{x - start}z')
            else:
                x += 1
    name = f' role="img" aria-label="{html.escape(label)}"' if label else ''
    path = ''.join(parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"{name}>'
            f'<rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>')  # fmt: skip


def qr_code(text: str, *, label: str, classes: str = '') -> ui.html:
    """Add a QR code of `text` to the page (`label` is what a screen reader says), styled by `.scc-qr`."""
    return ui.html(qr_svg(text, label=label), sanitize=False).classes(f'scc-qr {classes}'.strip())
