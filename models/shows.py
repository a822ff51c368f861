"""Cloud performances (M4): shows, their platform links, state history, comments, reminders, viewer figures."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import utcnow


class ShowState(StrEnum):
    scheduled = 'scheduled'
    starting_soon = 'starting_soon'
    live = 'live'
    ended = 'ended'
    replay = 'replay'
    postponed = 'postponed'
    cancelled = 'cancelled'


class ShowBase(SQLModel):
    title_zh: str = Field(max_length=120)
    title_en: str = Field(max_length=120)
    description_zh: str = Field(default='', max_length=2000)
    description_en: str = Field(default='', max_length=2000)
    troupe: str = Field(max_length=80)  # the Chinese names; the English ones fall back to them when empty
    venue: str = Field(max_length=120)
    troupe_en: str = Field(default='', max_length=80)
    venue_en: str = Field(default='', max_length=120)
    starts_at: datetime  # aware UTC; entered and shown in the venue's time zone
    ends_at: datetime
    stream_url: str = Field(default='', max_length=500)
    replay_url: str = Field(default='', max_length=500)


class Show(ShowBase, table=True):
    """One performance: its state machine lives in services/shows/lifecycle.py."""

    __tablename__ = 'cloud_show'

    id: int | None = Field(default=None, primary_key=True)
    timezone: str = Field(max_length=40)  # the venue's: the city's time zone when the show was created
    state: ShowState = Field(default=ShowState.scheduled, index=True)
    banner: bool = False  # "technical difficulties" shown on every watch page
    cancel_reason: str = Field(default='', max_length=300)
    postponements: int = 0
    poster: str = Field(default='', max_length=80)  # file stem of the thumbnails under data_dir/posters
    went_live_at: datetime | None = None
    ended_at: datetime | None = None
    inapp_peak: int = 0
    version: int = 1  # bumped on every change: ETags, optimistic edits
    created_by: int | None = Field(default=None, foreign_key='account.id')
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class ShowOrganizer(SQLModel, table=True):
    """A co-organizer of a show: an organizer account the owner (Show.created_by) or an admin gave the show to."""

    __tablename__ = 'show_organizer'

    __table_args__ = (UniqueConstraint('show_id', 'account_id'),)
    id: int | None = Field(default=None, primary_key=True)
    show_id: int = Field(foreign_key='cloud_show.id', index=True)
    account_id: int = Field(foreign_key='account.id', index=True)
    added_by: int | None = Field(default=None, foreign_key='account.id')
    added_at: datetime = Field(default_factory=utcnow)


class ShowLink(SQLModel, table=True):
    """Where else the show is streamed: a platform name and an http(s) link."""

    __tablename__ = 'show_link'

    id: int | None = Field(default=None, primary_key=True)
    show_id: int = Field(foreign_key='cloud_show.id', index=True)
    name: str = Field(max_length=40)
    url: str = Field(max_length=500)
    position: int = 0


class ShowChange(SQLModel, table=True):
    """Every change of a show, with who and when: state moves, postponements (old and new time), edits, banner."""

    __tablename__ = 'show_change'

    id: int | None = Field(default=None, primary_key=True)
    show_id: int = Field(foreign_key='cloud_show.id', index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_account_id: int | None = Field(default=None, foreign_key='account.id')
    actor_label: str = Field(default='', max_length=80)
    action: str = Field(max_length=30)
    from_state: str = Field(default='', max_length=20)
    to_state: str = Field(default='', max_length=20)
    old_starts_at: datetime | None = None
    new_starts_at: datetime | None = None
    detail: str = Field(default='', max_length=300)


class ShowComment(SQLModel, table=True):
    """A resident's cheer or comment on a show (stored as typed, always shown escaped)."""

    __tablename__ = 'show_comment'

    id: int | None = Field(default=None, primary_key=True)
    show_id: int = Field(foreign_key='cloud_show.id', index=True)
    account_id: int = Field(foreign_key='account.id', index=True)
    author: str = Field(max_length=40)
    text: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    hidden: bool = False
    hidden_by: int | None = Field(default=None, foreign_key='account.id')
    hidden_at: datetime | None = None


class ShowReminder(SQLModel, table=True):
    """A resident asked to be reminded: a notice 10 minutes before and at go-live (each sent once)."""

    __tablename__ = 'show_reminder'

    __table_args__ = (UniqueConstraint('show_id', 'account_id'),)
    id: int | None = Field(default=None, primary_key=True)
    show_id: int = Field(foreign_key='cloud_show.id', index=True)
    account_id: int = Field(foreign_key='account.id', index=True)
    created_at: datetime = Field(default_factory=utcnow)
    soon_sent_at: datetime | None = None
    live_sent_at: datetime | None = None


class PlatformFigure(SQLModel, table=True):
    """Viewer figures a platform reported, entered or imported by an organizer (never mixed with in-app counts)."""

    __tablename__ = 'show_figure'

    id: int | None = Field(default=None, primary_key=True)
    show_id: int = Field(foreign_key='cloud_show.id', index=True)
    platform: str = Field(max_length=40)
    recorded_at: datetime = Field(default_factory=utcnow)
    concurrent_peak: int = 0
    cumulative_views: int = 0
    entered_by: int | None = Field(default=None, foreign_key='account.id')


class ViewerSample(SQLModel, table=True):
    """In-app concurrent viewers of a show, sampled once a minute by the app (for the chart over time)."""

    __tablename__ = 'show_viewers'

    __table_args__ = (UniqueConstraint('show_id', 'minute'),)
    id: int | None = Field(default=None, primary_key=True)
    show_id: int = Field(foreign_key='cloud_show.id', index=True)
    minute: datetime
    viewers: int = 0


class ShowCreate(SQLModel):
    """What the organizer's form sends: times are naive and in the venue's time zone."""

    title_zh: str = ''
    title_en: str = ''
    description_zh: str = ''
    description_en: str = ''
    troupe: str = ''
    venue: str = ''
    troupe_en: str = ''
    venue_en: str = ''
    starts_local: str = ''  # 'YYYY-MM-DD HH:MM' venue time
    ends_local: str = ''
    stream_url: str = ''
    replay_url: str = ''
    links: list[tuple[str, str]] = []


class ShowLinkPublic(SQLModel):
    name: str
    url: str


class ShowPublic(ShowBase):
    id: int
    timezone: str
    state: ShowState
    banner: bool
    cancel_reason: str
    postponements: int
    poster: str
    went_live_at: datetime | None
    ended_at: datetime | None
    inapp_peak: int
    version: int
    updated_at: datetime
    links: list[ShowLinkPublic] = []


class ShowTeamMemberPublic(SQLModel):
    """One person who may run a show."""

    account_id: int
    username: str
    display_name: str
    owner: bool


class ShowTeamPublic(SQLModel):
    """Who runs a show: its owner first, then the co-organizers; `can_manage`: whether the reader may change that."""

    members: list[ShowTeamMemberPublic]
    can_manage: bool


class ShowCommentPublic(SQLModel):
    id: int
    show_id: int
    author: str
    text: str
    created_at: datetime
    hidden: bool


class ShowChangePublic(SQLModel):
    at: datetime
    actor_label: str
    action: str
    from_state: str
    to_state: str
    old_starts_at: datetime | None
    new_starts_at: datetime | None
    detail: str


class SchedulePublic(SQLModel):
    """The resident schedule: shows grouped as live now, today, upcoming and past."""

    live: list[ShowPublic]
    today: list[ShowPublic]
    upcoming: list[ShowPublic]
    past: list[ShowPublic]


class WatchPublic(SQLModel):
    """What a watch page needs from the database: the show and whether the resident asked for a reminder."""

    show: ShowPublic
    subscribed: bool


class PlatformTotalPublic(SQLModel):
    """The latest figures one platform reported for a show (its peak: the highest reported)."""

    platform: str
    concurrent_peak: int
    cumulative_views: int
    recorded_at: datetime


class FiguresPublic(SQLModel):
    """The aggregate panel: platform figures summed among themselves; in-app figures on their own."""

    platforms: list[PlatformTotalPublic]
    platform_peak_sum: int
    platform_views_sum: int
    inapp_peak: int
