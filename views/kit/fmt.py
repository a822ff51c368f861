"""Formatting for people: times in the city's time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from services.city import current_city


def city_time(moment: datetime, pattern: str = '%Y-%m-%d %H:%M') -> str:
    """An aware UTC datetime shown in the city's local time (Asia/Shanghai for Jinan)."""
    return moment.astimezone(ZoneInfo(current_city().timezone)).strftime(pattern)
