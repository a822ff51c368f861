"""Browser sessions and action records: who is signed in where, and which submitted actions already happened."""

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import utcnow


class BrowserSession(SQLModel, table=True):
    """One signed-in browser: the cookie holds a random token, the database only its hash."""

    __tablename__ = 'browser_session'

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int = Field(foreign_key='account.id', index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    ended_at: datetime | None = None
    end_reason: str = Field(default='', max_length=20)  # signed_out | disabled | role_changed | expired


class SignInTicket(SQLModel, table=True):
    """A one-time, short-lived ticket that turns a verified sign-in into a session cookie (an HTTP response)."""

    __tablename__ = 'sign_in_ticket'

    id: int | None = Field(default=None, primary_key=True)
    ticket_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int = Field(foreign_key='account.id')
    expires_at: datetime
    used_at: datetime | None = None


class ActionRecord(SQLModel, table=True):
    """A submitted action that happened, under the idempotency key its page sent, with its result."""

    __tablename__ = 'action_record'
    __table_args__ = (UniqueConstraint('account_id', 'action', 'key', name='uq_action_record_key'),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key='account.id', index=True)
    action: str = Field(max_length=60)
    key: str = Field(max_length=64)
    result: str = Field(default='', max_length=20000)  # JSON of what the action returned
    created_at: datetime = Field(default_factory=utcnow, index=True)
