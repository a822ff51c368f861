"""The clinic's live machinery, one per process: presence of open pages, the periodic sweep, the queue board.

- Presence: each open waiting page and doctor desk is registered here; ONE app timer marks them all present
  with one UPDATE per tick and lets the service drop patients away past the 5-minute grace.
- Board: the queue is recomputed once per change (bursts folded together), never per page; each page looks up its own
  place in the shared snapshot.
"""

import asyncio
import logging
import weakref
from collections.abc import Callable
from typing import Any

from nicegui import Event, context, ui
from nicegui.client import Client

from services.clinic import CLINIC_QUEUE, queue
from services.clinic import board as board_service
from services.clinic.board import QueueSnapshot
from services.events import DomainEvent
from views.kit import background, call, live

log = logging.getLogger(__name__)
TICK_SECONDS = 20.0
MIN_INTERVAL_SECONDS = 0.2
BEEP_JS = """(() => { try {
  const ctx = window.__sccAudio || (window.__sccAudio = new (window.AudioContext || window.webkitAudioContext)());
  if (ctx.state === 'suspended') ctx.resume();
  const tones = %s;
  tones.forEach((freq, i) => {
    const osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.frequency.value = freq; osc.connect(gain); gain.connect(ctx.destination);
    const t = ctx.currentTime + i * 0.22;
    gain.gain.setValueAtTime(0.25, t); gain.gain.exponentialRampToValueAtTime(0.001, t + 0.2);
    osc.start(t); osc.stop(t + 0.2);
  });
} catch (e) {} })()"""

_patients: weakref.WeakKeyDictionary[Client, int] = weakref.WeakKeyDictionary()
_desks: weakref.WeakKeyDictionary[Client, int] = weakref.WeakKeyDictionary()


def beep(*, urgent: bool = False) -> None:
    """A short WebAudio tone in this page (no file, no CDN); urgent: three rising tones."""
    ui.run_javascript(BEEP_JS % ('[660, 880, 1100]' if urgent else '[880]'))


def unlock_audio() -> None:
    """Create the page's audio context during a click, so later beeps may play (browsers' autoplay rule)."""
    ui.run_javascript(
        'window.__sccAudio = window.__sccAudio || new (window.AudioContext || window.webkitAudioContext)()'
    )


def present_patient(consultation_id: int | None) -> None:
    """This page shows a waiting consultation (None: not any more)."""
    if consultation_id is None:
        _patients.pop(context.client, None)
    else:
        _patients[context.client] = consultation_id


def present_desk(account_id: int) -> None:
    """This page is a doctor's desk."""
    _desks[context.client] = account_id


class QueueBoard:
    """The latest queue snapshot and a page-side event that carries it to every subscribed page."""

    def __init__(self) -> None:
        self.snapshot: QueueSnapshot | None = None
        self.updated: Event[[QueueSnapshot]] = Event()
        self._task: asyncio.Task | None = None
        self._dirty = False
        self.recomputes = 0

    def request(self, _event: DomainEvent | None = None) -> None:
        """Something changed: recompute now; changes arriving meanwhile are folded into one more recompute."""
        if self._task is None or self._task.done():
            self._dirty = False
            self._task = asyncio.get_running_loop().create_task(self._recompute())
        else:
            self._dirty = True

    async def _recompute(self) -> None:
        while True:
            try:
                snapshot = await call.read(board_service.queue_snapshot)
            except Exception:
                log.exception('could not compute the clinic queue')
                return
            self.snapshot = snapshot
            self.recomputes += 1
            self.updated.emit(snapshot)
            if not self._dirty:
                return
            self._dirty = False
            await asyncio.sleep(MIN_INTERVAL_SECONDS)  # a burst of changes: at most a few recomputes a second

    async def current(self) -> QueueSnapshot:
        """The snapshot (computed now when there is none yet)."""
        if self.snapshot is None:
            self.snapshot = await call.read(board_service.queue_snapshot)
        return self.snapshot

    def subscribe(self, handler: Callable[[QueueSnapshot], Any]) -> None:
        """Call `handler` in this page with each new snapshot (released when the page goes away)."""
        self.updated.subscribe(handler, expect_args=True)

    def reset(self) -> None:
        """Forget everything (tests)."""
        self.snapshot = None
        self.updated.callbacks.clear()
        self._task = None


board = QueueBoard()


async def tick() -> None:
    """The one periodic job: mark open pages present, drop those away too long, ask "worse?", refresh the board."""
    patients = sorted({cid for client, cid in list(_patients.items()) if client.has_socket_connection})
    desks = sorted({aid for client, aid in list(_desks.items()) if client.has_socket_connection})
    try:
        if patients or desks:
            await call.write(queue.heartbeat, consultation_ids=patients, doctor_ids=desks)
        await call.write(queue.sweep)
    except Exception:
        log.exception('clinic sweep failed')
    if _patients or _desks:
        board.request()  # doctors may have stopped being present: estimates change with time


def register() -> None:
    board.reset()
    # One process-wide subscription (not one per page): each queue change recomputes the board once.
    live.on(CLINIC_QUEUE, board.request)
    background.every(TICK_SECONDS, tick)
