"""M4 Cloud performances: the schedule, the watch page, the organizer's console, calendar and JSON feeds."""

from services.shows import demo
from views.kit.modules import Module
from views.shows import console, feeds, resident, stream

# Routes, jobs and listeners first (so /shows/feed.json is not taken for a show id), then the pages.
MODULE = Module(
    name='shows',
    parts=(feeds.register, stream.register, resident.register, console.register),
    seed_demo=demo.seed,
)
