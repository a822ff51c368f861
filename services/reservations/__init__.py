"""M2 reservations of scarce goods with pickup at a store (see docs/reservations.md).

Modules: policy (time rules), booking (reserve), cancel, stock (the slot's stock and its event), fastpath (the
booking hot path in plain SQL), quota, passes (codes and signed tokens), pickup (the pharmacist's counter),
waitlist, release (no-shows, strikes, bans, the sweep), lottery (+ _verify), queries (what screens read),
reports (dashboard, open data), admin (stores, items, slot plans), events (what pages follow), demo.
"""

from services.reservations.events import (
    PICKED_UP,
    RESERVATION_CHANGED,
    STOCK_CHANGED,
    WAIT_OFFERED,
    PickedUp,
    ReservationChanged,
    StockChanged,
    WaitOffered,
)

__all__ = [
    'PICKED_UP',
    'RESERVATION_CHANGED',
    'STOCK_CHANGED',
    'WAIT_OFFERED',
    'PickedUp',
    'ReservationChanged',
    'StockChanged',
    'WaitOffered',
]
