"""Events of the foundation: names and typed payloads."""

from models.notices import NoticePublic
from services.events import EventType, Payload


class NoticePosted(Payload):
    """An admin posted a city announcement (no key: every resident Home shows it)."""

    notice: NoticePublic


NOTICE_POSTED = EventType('notice.posted', NoticePosted)
