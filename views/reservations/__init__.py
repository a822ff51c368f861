"""M2 Reservations with pickup at a store: reserve, my reservations, the pharmacy, admin, the open stock feed."""

from services.reservations import demo
from views.kit.modules import Module
from views.reservations import admin, feeds, mine, pharmacy, resident


def register() -> None:
    """Pages and routes of reservations."""
    pharmacy.register()
    resident.register()
    admin.register()
    feeds.register()
    mine.register()


MODULE = Module(name='reservations', register=register, seed_demo=demo.seed)
