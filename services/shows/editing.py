"""Creating and editing a show: bilingual texts, troupe, venue, venue-time start and end, stream URL, links."""

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from models.common import utcnow
from models.shows import Show, ShowCreate, ShowLink, ShowPublic, ShowState
from services import idempotency
from services.access import Actor
from services.errors import N_, DomainError
from services.shows import common
from services.validation import clean_line, clean_text

TIME_RE = re.compile(r'([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{2})')  # ASCII digits only
MAX_LINKS = 12
# What a person may type (the form's maxlength says the same; models/shows.py stores at most this).
TITLE_MAX, DESCRIPTION_MAX, TROUPE_MAX, VENUE_MAX, PLATFORM_MAX, URL_MAX, TIME_MAX = 120, 2000, 80, 120, 40, 500, 16


def parse_venue_time(raw: str, *, field: str, tz: str | None = None) -> datetime:
    """'YYYY-MM-DD HH:MM' in the venue's time zone (`tz`; by default the city's) → aware UTC."""
    match = TIME_RE.fullmatch((raw or '').strip())
    if match is None:
        raise DomainError(N_('{field}: please write the date and time as YYYY-MM-DD HH:MM.'), field=field)
    try:
        year, month, day, hour, minute = (int(g) for g in match.groups())
        local = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz or common.city_timezone()))
    except ValueError:
        raise DomainError(N_('{field}: there is no such date or time.'), field=field) from None
    return local.astimezone(ZoneInfo('UTC'))


def format_venue_time(moment: datetime, tz: str | None = None) -> str:
    """An aware datetime as 'YYYY-MM-DD HH:MM' in the venue's time zone (what the form shows; default: the city's)."""
    return common.venue_time(moment, tz).strftime('%Y-%m-%d %H:%M')


def check_http_url(raw: str, *, field: str) -> str:
    """An absolute http or https URL with a host; anything else is refused."""
    value = (raw or '').strip()
    if len(value) > 500:
        raise DomainError(N_('{field}: at most {limit} characters.'), field=field, limit=500)
    parts = urlsplit(value)
    if parts.scheme not in ('http', 'https') or not parts.netloc or any(c.isspace() for c in value):
        raise DomainError(N_('{field}: please enter a link starting with http:// or https://.'), field=field)
    return value


def check_stream_url(raw: str, *, field: str) -> str:
    """An HLS stream: empty, an http(s) URL, or a path on this server (starting with /)."""
    value = (raw or '').strip()
    if not value:
        return ''
    if value.startswith('/') and not value.startswith('//') and not any(c.isspace() for c in value):
        if len(value) > 500:
            raise DomainError(N_('{field}: at most {limit} characters.'), field=field, limit=500)
        return value
    return check_http_url(value, field=field)


def check_links(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Platform links: a name and an http(s) URL each; empty rows are skipped."""
    cleaned: list[tuple[str, str]] = []
    for name, url in links:
        if not (name or '').strip() and not (url or '').strip():
            continue
        label = clean_line(name, field=N_('Platform name'), max_length=PLATFORM_MAX)
        cleaned.append((label, check_http_url(url, field=label)))
    if len(cleaned) > MAX_LINKS:
        raise DomainError(N_('At most {limit} platform links.'), limit=MAX_LINKS)
    return cleaned


def _apply(show: Show, data: ShowCreate) -> list[tuple[str, str]]:
    show.title_zh = clean_line(data.title_zh, field=N_('Title (Chinese)'), max_length=TITLE_MAX)
    show.title_en = clean_line(data.title_en, field=N_('Title (English)'), max_length=TITLE_MAX)
    show.description_zh = clean_text(
        data.description_zh, field=N_('Description (Chinese)'), max_length=DESCRIPTION_MAX, required=False
    )
    show.description_en = clean_text(
        data.description_en, field=N_('Description (English)'), max_length=DESCRIPTION_MAX, required=False
    )
    show.troupe = clean_line(data.troupe, field=N_('Troupe'), max_length=TROUPE_MAX)
    show.venue = clean_line(data.venue, field=N_('Venue'), max_length=VENUE_MAX)
    show.troupe_en = clean_line(data.troupe_en, field=N_('Troupe (English)'), max_length=TROUPE_MAX, required=False)
    show.venue_en = clean_line(data.venue_en, field=N_('Venue (English)'), max_length=VENUE_MAX, required=False)
    starts_at = parse_venue_time(data.starts_local, field=N_('Start'), tz=show.timezone)
    ends_at = parse_venue_time(data.ends_local, field=N_('End'), tz=show.timezone)
    if ends_at <= starts_at:
        raise DomainError(N_('The end must be after the start.'))
    show.starts_at, show.ends_at = starts_at, ends_at
    show.stream_url = check_stream_url(data.stream_url, field=N_('HLS stream URL'))
    show.replay_url = check_stream_url(data.replay_url, field=N_('Replay stream URL'))
    return check_links(data.links)


def _store_links(session: Session, show_id: int, links: list[tuple[str, str]]) -> None:
    for old in session.exec(select(ShowLink).where(ShowLink.show_id == show_id)):
        session.delete(old)
    for position, (name, url) in enumerate(links):
        session.add(ShowLink(show_id=show_id, name=name, url=url, position=position))


def create_show(session: Session, *, actor: Actor, data: ShowCreate, key: str | None = None) -> ShowPublic:
    """An organizer announces a new performance and owns it; the same `key` again returns the first one."""
    common.require_organizer(actor)
    return idempotency.once(session, actor=actor, action='shows.create', key=key,
                            run=lambda: _create(session, actor, data), result=ShowPublic)  # fmt: skip


def _create(session: Session, actor: Actor, data: ShowCreate) -> ShowPublic:
    now = utcnow()
    show = Show(title_zh='', title_en='', troupe='', venue='', starts_at=now, ends_at=now, created_by=actor.account_id,
                timezone=common.city_timezone())  # fmt: skip
    links = _apply(show, data)
    if show.starts_at <= now:
        raise DomainError(N_('The start must be in the future.'))
    session.add(show)
    session.flush()
    assert show.id is not None
    _store_links(session, show.id, links)
    common.record(session, show, actor=actor, action='created')
    return common.to_public(session, show)


def update_show(session: Session, *, actor: Actor, show_id: int, data: ShowCreate) -> ShowPublic:
    """An organizer of the show edits it (a new start of a show no longer scheduled is a postponement: refused)."""
    show = common.load_editable(session, actor, show_id)
    if show.state is ShowState.cancelled:
        raise DomainError(N_('A cancelled performance cannot be edited.'))
    old_start = show.starts_at
    links = _apply(show, data)
    if show.starts_at != old_start and show.state is not ShowState.scheduled:
        raise DomainError(N_('To change the time of this performance, postpone it.'))
    _store_links(session, show_id, links)
    common.record(
        session, show, actor=actor, action='edited', old_starts_at=old_start if show.starts_at != old_start else None
    )
    return common.to_public(session, show)


def get_show(session: Session, *, show_id: int) -> ShowPublic:
    """One show as pages show it."""
    return common.to_public(session, common.load(session, show_id))


def input_of(show: ShowPublic) -> ShowCreate:
    """The organizer's form filled from a stored show (times in the venue's time zone)."""
    return ShowCreate(
        title_zh=show.title_zh,
        title_en=show.title_en,
        description_zh=show.description_zh,
        description_en=show.description_en,
        troupe=show.troupe,
        venue=show.venue,
        troupe_en=show.troupe_en,
        venue_en=show.venue_en,
        starts_local=format_venue_time(show.starts_at, show.timezone),
        ends_local=format_venue_time(show.ends_at, show.timezone),
        stream_url=show.stream_url,
        replay_url=show.replay_url,
        links=[(link.name, link.url) for link in show.links],
    )
