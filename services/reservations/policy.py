"""Release policy and time rules: the city's local day, booking windows, what screens receive."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from models.reservations import AllocationMode, ResItem
from services.city import current_city

STOCK_CHANGED = 'stock.changed'  # key: store id; data: slot_id, item_id, remaining, capacity, at
RESERVATION_CHANGED = 'reservation.changed'  # key: account id of the booker; data: reservation_id, status
WAIT_OFFERED = 'reservation.offer'  # key: account id; data: wait_id, expires_at
OFFER_MINUTES = 10


@lru_cache
def city_tz() -> ZoneInfo:
    """The city's time zone (Asia/Shanghai for Jinan)."""
    return ZoneInfo(current_city().timezone)


def local_day(now: datetime) -> date:
    """The city's calendar day at `now`."""
    return now.astimezone(city_tz()).date()


def local_time(day: date, minute: int) -> datetime:
    """`minute` past local midnight of `day`, as aware UTC."""
    start = datetime.combine(day, time(0), tzinfo=city_tz())
    return (start + timedelta(minutes=minute)).astimezone(UTC)


def window_opens_at(*, window_days_before: int, window_open_minute: int, day: date) -> datetime:
    """When booking for slots on `day` opens."""
    return local_time(day - timedelta(days=window_days_before), window_open_minute)


def draw_at(day: date) -> datetime:
    """When a lottery for slots on `day` is drawn: local midnight starting that day (applications close)."""
    return local_time(day, 0)


def parse_hhmm(value: str) -> int:
    """'08:30' → 510 (minutes past midnight); ValueError when malformed."""
    hours, minutes = value.strip().split(':')
    result = int(hours) * 60 + int(minutes)
    if not (0 <= int(hours) <= 24 and 0 <= int(minutes) < 60 and 0 <= result <= 24 * 60):
        raise ValueError(value)
    return result


class ItemInfo(BaseModel):
    id: int
    code: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    quota: int
    quota_days: int
    mode: AllocationMode
    window_open_minute: int
    window_days_before: int
    noshow_grace_minutes: int
    strike_limit: int
    strike_days: int
    ban_days: int
    active: bool


def item_info(item: ResItem) -> ItemInfo:
    """An item and its policy, as screens receive it."""
    return ItemInfo.model_validate(item, from_attributes=True)


class SlotInfo(BaseModel):
    id: int
    store_id: int
    item_id: int
    day: date
    starts_at: datetime
    ends_at: datetime
    capacity: int
    remaining: int
    updated_at: datetime
    opens_at: datetime  # booking window
    mode: AllocationMode
    seed_hash: str = ''  # lottery: published before the draw
    drawn: bool = False


class StoreInfo(BaseModel):
    id: int
    name_zh: str
    name_en: str
    district: str
    address_zh: str
    address_en: str
    lat: float
    lon: float
    opens: str
    closes: str
    closed: bool
    slots: list[SlotInfo] = []


class ReservationInfo(BaseModel):
    """A booking as its owner sees it (the pass token is added for booked ones)."""

    id: int
    status: str
    quantity: int
    code: str
    person_id: int
    masked_name: str
    relation: str | None
    item_name_zh: str
    item_name_en: str
    unit_zh: str
    unit_en: str
    store_id: int
    store_name_zh: str
    store_name_en: str
    address_zh: str
    address_en: str
    day: date
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    closed_at: datetime | None
    handled_by: str
    token: str = ''


class WaitInfo(BaseModel):
    id: int
    status: str
    quantity: int
    person_id: int
    masked_name: str
    store_id: int
    store_name_zh: str
    store_name_en: str
    item_name_zh: str
    item_name_en: str
    day: date
    position: int
    offer_expires_at: datetime | None
    offered_slot_id: int | None


class PickupInfo(BaseModel):
    """What a pharmacist sees for a pass: a masked name, the goods and the slot; nothing else."""

    reservation_id: int
    masked_name: str
    item_name_zh: str
    item_name_en: str
    quantity: int
    unit_zh: str
    unit_en: str
    store_name_zh: str
    store_name_en: str
    day: date
    starts_at: datetime
    ends_at: datetime
    status: str
    picked_up_at: datetime | None
    handled_by: str
