"""The clinic's live machinery, one per process: presence of open pages, the periodic sweep, the queue board.

- Presence: each open waiting page and doctor desk is registered here; ONE app job marks them all present
  with one UPDATE per tick and lets the service drop patients away past the 5-minute grace.
- Board: the queue is recomputed on changes (bursts folded together by `live.listen(..., at_most_every=...)`), never
  per page; each page looks up its own place in the shared snapshot.
"""

import logging
import weakref
from collections.abc import Callable
from typing import Any

from nicegui import Event, background_tasks, context, core
from nicegui.client import Client

from services.clinic import QUEUE_CHANGED, QueueChanged, queue
from services.clinic import board as board_service
from services.clinic.board import QueueSnapshot
from views.kit import background, call, live

log = logging.getLogger(__name__)
TICK_SECONDS = 20.0
# A burst of queue changes (a rush of joins, a sweep dropping many) costs at most 5 recomputes a second: the first
# change is shown at once, later ones within 0.2 s, the latest state winning. 0.2 s is below what a person waiting
# notices, and bounds the board's reads (three queries each) whatever the number of pages or changes.
MIN_INTERVAL_SECONDS = 0.2

_patients: weakref.WeakKeyDictionary[Client, int] = weakref.WeakKeyDictionary()
_desks: weakref.WeakKeyDictionary[Client, int] = weakref.WeakKeyDictionary()


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
        self.recomputes = 0
        self._started = 0  # recomputes begun; a slower, older one never replaces the snapshot of a newer one
        self._applied = 0

    def request(self, _change: QueueChanged | None = None) -> None:
        """Something changed: recompute the snapshot (callers fold bursts: `live.listen(..., at_most_every=...)`)."""
        loop = core.loop
        if loop is None or not loop.is_running():
            return  # the app is not running (a script or a service test published): no page to update
        background_tasks.create(self.recompute(), name='clinic queue board')

    async def recompute(self) -> None:
        """Read the queue once and hand the snapshot to every subscribed page."""
        self._started += 1
        mine = self._started
        try:
            snapshot = await call.read(board_service.queue_snapshot)
        except Exception:
            log.exception('could not compute the clinic queue')
            return
        if mine < self._applied:
            return  # a later recompute (which read a fresher queue) finished first
        self._applied = mine
        self.snapshot = snapshot
        self.recomputes += 1
        self.updated.emit(snapshot)

    async def current(self) -> QueueSnapshot:
        """The snapshot (computed now when there is none yet)."""
        if self.snapshot is None:
            self.snapshot = await call.read(board_service.queue_snapshot)
        return self.snapshot

    def subscribe(self, handler: Callable[[QueueSnapshot], Any]) -> None:
        """Call `handler` in this page with each new snapshot (released when the page goes away)."""
        self.updated.subscribe(handler, expect_args=True)

    def unsubscribe(self, handler: Callable[[QueueSnapshot], Any]) -> None:
        """Stop calling `handler` (its part of the page was rebuilt)."""
        self.updated.unsubscribe(handler)

    def reset(self) -> None:
        """Forget everything (tests)."""
        self.snapshot = None
        self.updated.callbacks.clear()
        self._started = self._applied = 0


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
        await board.recompute()  # doctors may have stopped being present: estimates change with time


def register() -> None:
    """The board's one process-wide listener and the presence job."""
    board.reset()
    # One process-wide listener (not one per page): queue changes recompute the board, at most every 0.2 s.
    live.listen(QUEUE_CHANGED, board.request, at_most_every=MIN_INTERVAL_SECONDS)
    background.every(TICK_SECONDS, tick)
