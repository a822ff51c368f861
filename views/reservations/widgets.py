"""Pieces shared by the reservation pages: slot times, item names and statuses in the reader's language.

Clocks ("updated N s ago", countdowns) come from the browser kit (views.kit.browser), pass QR codes from views.kit.qr.
"""

from datetime import datetime

from models.reservations import ResItemPublic
from services.reservations.booking import status_label
from views.kit.fmt import city_time
from views.kit.i18n import _, pick


def slot_time(starts_at: datetime, ends_at: datetime) -> str:
    """'11-26 09:00–12:00' in the city's time."""
    return f'{city_time(starts_at, "%m-%d %H:%M")}–{city_time(ends_at, "%H:%M")}'


def item_name(item: ResItemPublic) -> str:
    """The item's name in the reader's language."""
    return pick(item.name_zh, item.name_en)


def status_text(status: str) -> str:
    """A reservation status in the reader's language."""
    return _(status_label(status))
