"""M2 Reservations with pickup at a store: reserve, my reservations, the pharmacy, admin, the open stock feed."""

from services.reservations import demo
from views.kit.modules import Module
from views.reservations import admin, feeds, mine, pharmacy, resident

MODULE = Module(
    name='reservations',
    parts=(pharmacy.register, resident.register, admin.register, feeds.register, mine.register),
    seed_demo=demo.seed,
)
