"""N residents watch the stores of one district on the reservation page; the stock of one slot changes."""

import random

from bench.fanout_scenarios._common import make_residents, staff_actor
from services import db

PATH = '/reserve?district=370102'  # the first item (surgical masks) at the stores of Lixia


def prepare(n_clients: int) -> list[int]:
    """N resident accounts with completed profiles (the demo city has only three)."""
    return make_residents(n_clients)


def trigger() -> str:
    """Set the stock of the first open Lixia slot to a fresh random number: that number is the marker."""
    from services.reservations import admin, queries

    with db.read_session() as session:
        item = queries.items(session)[0]
        stores = queries.stores(session, item_id=item.id, district='370102')
    slot = stores[0].slots[0]
    target = random.randint(100000, 999999)
    with db.session_scope() as session:
        admin.change_supply(session, actor=staff_actor('admin'), slot_id=slot.id, delta=target - slot.remaining)
    return str(target)
