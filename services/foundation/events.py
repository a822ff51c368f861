"""Events of the foundation: names and typed payloads."""

from models.notices import NoticePublic
from services.events import EventType, Payload


class NoticePosted(Payload):
    """An admin posted a city announcement (no key: every resident Home shows it)."""

    notice: NoticePublic


NOTICE_POSTED = EventType('notice.posted', NoticePosted)


class SessionsEnded(Payload):
    """Sessions of an account ended (key: the account id): one (`session_id`, a sign-out) or all (None: the account
    was disabled or its role changed). Every open page of them goes to sign-in and refuses further actions."""

    account_id: int
    session_id: int | None
    reason: str  # signed_out | disabled | role_changed


SESSIONS_ENDED = EventType('account.sessions_ended', SessionsEnded)
