"""In-app concurrent viewers: open watch pages per show, counted in memory per process and shared over the bus.

Each process counts its own open watch pages (join when a page connects, leave when it disconnects) and
publishes its counts as SHOW_VIEWERS at most every PUBLISH_EVERY seconds when they changed (and as a
heartbeat); every process adds up the latest counts of all processes it heard from recently.
"""

import threading
import time

from services.events import bus
from services.shows.events import SHOW_VIEWERS, ViewerCounts

PUBLISH_EVERY = 2.0
HEARTBEAT = 15.0
FORGET_AFTER = 45.0  # a process that said nothing for this long has gone


class ViewerCounter:
    """Counts of open watch pages: this process's own, and the latest heard from every other process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.local: dict[int, int] = {}
        self.remote: dict[str, tuple[float, dict[int, int]]] = {}
        self._dirty = False
        self._last_publish = 0.0

    def join(self, show_id: int) -> None:
        """A watch page of `show_id` connected."""
        with self._lock:
            self.local[show_id] = self.local.get(show_id, 0) + 1
            self._dirty = True

    def leave(self, show_id: int) -> None:
        """A watch page of `show_id` disconnected or went away."""
        with self._lock:
            count = self.local.get(show_id, 0) - 1
            if count > 0:
                self.local[show_id] = count
            else:
                self.local.pop(show_id, None)
            self._dirty = True

    def total(self, show_id: int) -> int:
        """Open watch pages of the show in all processes."""
        now = time.monotonic()
        others = sum(counts.get(show_id, 0) for at, counts in self.remote.values() if now - at < FORGET_AFTER)
        return self.local.get(show_id, 0) + others

    def totals(self) -> dict[int, int]:
        """Open watch pages per show in all processes."""
        ids = set(self.local) | {i for _, counts in self.remote.values() for i in counts}
        return {i: self.total(i) for i in ids}

    def heard(self, counts: ViewerCounts) -> None:
        """Take in another process's counts (our own are known already)."""
        if not counts.origin or counts.origin == bus.origin:
            return
        self.remote[counts.origin] = (time.monotonic(), dict(counts.counts))

    def maybe_publish(self, *, force: bool = False) -> bool:
        """Publish this process's counts when they changed (at most every 2 s) or as a heartbeat."""
        now = time.monotonic()
        since = now - self._last_publish
        if not force and not (self._dirty and since >= PUBLISH_EVERY) and since < HEARTBEAT:
            return False
        with self._lock:
            counts = dict(self.local)
            self._dirty = False
        self._last_publish = now
        bus.publish(SHOW_VIEWERS, ViewerCounts(origin=bus.origin, counts=counts))
        return True

    def reset(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self.local.clear()
            self.remote.clear()
            self._dirty = False
            self._last_publish = 0.0


counter = ViewerCounter()
