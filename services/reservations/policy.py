"""Release policy and time rules: the city's local day, booking windows, draw times."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from services.city import current_city

OFFER_MINUTES = 10  # released stock is held this long for the next in line


@lru_cache
def city_tz() -> ZoneInfo:
    """The city's time zone (from the city's settings)."""
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
