"""Events of the reservations (M2): names and typed payloads."""

from datetime import datetime

from models.reservations import ReservationStatus
from services.events import EventType, Payload


class StockChanged(Payload):
    """A slot's stock changed: booked, cancelled, supply changed, released (key: the store's id)."""

    slot_id: int
    item_id: int
    remaining: int
    capacity: int
    at: datetime  # when the stock changed (the page's "updated N s ago" restarts from it)


class ReservationChanged(Payload):
    """One booker's reservations changed status (key: the booker's account id)."""

    reservation_ids: tuple[int, ...]
    status: ReservationStatus


class WaitOffered(Payload):
    """Released stock is held for a waitlist entry until `expires_at` (key: the account id of who queued)."""

    wait_id: int
    expires_at: datetime


class PickedUp(Payload):
    """A pharmacist handed reserved goods over (key: the store's id)."""

    reservation_id: int
    quantity: int


STOCK_CHANGED = EventType('reservations.stock_changed', StockChanged, doc='key: store id')
RESERVATION_CHANGED = EventType('reservations.changed', ReservationChanged, doc='key: booker account id')
WAIT_OFFERED = EventType('reservations.wait_offered', WaitOffered, doc='key: account id of who queued')
PICKED_UP = EventType('reservations.picked_up', PickedUp, doc='key: store id')
