"""The floor for bench/fanout.py: a bare NiceGUI app, one label per page, and a route that changes every label.

Started by bench/fanout.py as a subprocess (PORT from the environment); not a benchmark by itself.
"""

import os

from fastapi.responses import JSONResponse
from nicegui import app, context, ui

labels: dict[str, ui.label] = {}


@ui.page('/')
def index() -> None:
    client = context.client
    labels[client.id] = ui.label('waiting')
    client.on_delete(lambda: labels.pop(client.id, None))


@app.post('/trigger')
async def trigger(marker: str) -> JSONResponse:
    for label in list(labels.values()):
        label.text = marker
    return JSONResponse({'marker': marker, 'labels': len(labels)})


@app.get('/healthz')
async def healthz() -> JSONResponse:
    return JSONResponse({'ok': True})


if __name__ in {'__main__', '__mp_main__'}:
    ui.run(host='127.0.0.1', port=int(os.environ.get('PORT', '8090')), show=False, reload=False, title='bare',
           reconnect_timeout=float(os.environ.get('RECONNECT_TIMEOUT', '3')))  # fmt: skip
