"""City announcements, written in both languages."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import utcnow


class NoticeBase(SQLModel):
    title_zh: str = Field(max_length=120)
    title_en: str = Field(max_length=120)
    body_zh: str = Field(max_length=2000)
    body_en: str = Field(max_length=2000)
    urgent: bool = False


class Notice(NoticeBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    author_account_id: int | None = Field(default=None, foreign_key='account.id')


class NoticeCreate(NoticeBase):
    pass


class NoticePublic(NoticeBase):
    id: int
    created_at: datetime
