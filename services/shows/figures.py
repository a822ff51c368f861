"""Viewer figures, kept apart: in-app concurrent viewers (counted by the app) and what each platform reported."""

import csv
import io
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.common import utcnow
from models.shows import FiguresPublic, PlatformFigure, PlatformTotalPublic, Show, ShowState, ViewerSample
from services.access import Actor
from services.errors import N_, DomainError
from services.shows import common, editing
from services.shows.editing import parse_venue_time
from services.validation import clean_line, whole_number

MAX_VIEWS = 10_000_000_000
MAX_CSV_BYTES = 512 * 1024
MAX_CSV_ROWS = 5000
MAX_CELL = 200  # characters in one CSV field (a platform name has 40, a figure 14)


def _count(raw: str | int, *, field: str) -> int:
    return whole_number(raw, field=field, maximum=MAX_VIEWS)


def _figure(show: Show, actor: Actor, platform: str, peak: str | int, views: str | int, when: str) -> PlatformFigure:
    assert show.id is not None
    name = clean_line(platform, field=N_('Platform name'), max_length=editing.PLATFORM_MAX)
    when = (when or '').strip()
    if len(when) > editing.TIME_MAX + 4:
        raise DomainError(N_('{field}: please write the date and time as YYYY-MM-DD HH:MM.'), field=N_('Time'))
    recorded = parse_venue_time(when, field=N_('Time'), tz=show.timezone) if when else utcnow()
    return PlatformFigure(
        show_id=show.id,
        platform=name,
        concurrent_peak=_count(peak, field=N_('Concurrent peak')),
        cumulative_views=_count(views, field=N_('Cumulative views')),
        recorded_at=recorded,
        entered_by=actor.account_id,
    )


def add_figure(
    session: Session,
    *,
    actor: Actor,
    show_id: int,
    platform: str,
    concurrent_peak: str | int,
    cumulative_views: str | int,
    recorded_local: str = '',
) -> int:
    """An organizer of the show enters what one platform reported (time in venue time; empty: now)."""
    show = common.load_editable(session, actor, show_id, lock=False)
    session.add(_figure(show, actor, platform, concurrent_peak, cumulative_views, recorded_local))
    return 1


def _is_number(cell: str) -> bool:
    try:
        whole_number(cell, field='', maximum=MAX_VIEWS)
    except DomainError:
        return False
    return True


def _lines(text: str) -> list[tuple[int, list[str]]]:
    """The non-empty records of a CSV text with the line each starts on; a record the csv module cannot read (an
    unclosed quote, a field above its 128 KB limit, a NUL) is refused with its line."""
    reader = csv.reader(io.StringIO(text))
    records: list[tuple[int, list[str]]] = []
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return records
        except csv.Error:
            raise DomainError(N_('Row {row}: this line cannot be read (a quote is not closed or a field is far too '
                                 'long).'), row=line) from None  # fmt: skip
        if any(cell.strip() for cell in row):
            records.append((line, row))
            if len(records) > MAX_CSV_ROWS + 1:  # + 1: a header
                raise DomainError(N_('At most {limit} rows per file.'), limit=MAX_CSV_ROWS)
        line = reader.line_num + 1


def _csv_figure(show: Show, actor: Actor, line: int, row: list[str]) -> PlatformFigure:
    """One record of the CSV as a figure, or a refusal naming its line (the row number a spreadsheet shows)."""
    if len(row) not in (3, 4):
        raise DomainError(
            N_('Row {row}: expected platform, concurrent peak, cumulative views and optionally a time.'), row=line
        )
    if any(len(cell) > MAX_CELL for cell in row):
        raise DomainError(N_('Row {row}: a field is longer than {limit} characters.'), row=line, limit=MAX_CELL)
    try:
        name = clean_line(row[0], field=N_('Platform name'), max_length=editing.PLATFORM_MAX)
    except DomainError:
        raise DomainError(N_('Row {row}: the platform name is missing or longer than 40 characters.'),
                          row=line) from None  # fmt: skip
    numbers = [cell.strip() for cell in row[1:3]]
    if not all(_is_number(n) for n in numbers):
        raise DomainError(N_('Row {row}: the figures must be whole numbers of 0 or more.'), row=line)
    when = row[3].strip() if len(row) == 4 else ''
    if when and editing.TIME_RE.fullmatch(when) is None:
        raise DomainError(N_('Row {row}: please write the time as YYYY-MM-DD HH:MM.'), row=line)
    try:
        return _figure(show, actor, name, numbers[0], numbers[1], when)
    except DomainError:
        raise DomainError(N_('Row {row}: there is no such date or time.'), row=line) from None


def import_csv(session: Session, *, actor: Actor, show_id: int, data: bytes) -> int:
    """Import platform figures from CSV (platform, concurrent_peak, cumulative_views[, recorded_at]); all or nothing."""
    show = common.load_editable(session, actor, show_id, lock=False)
    if len(data) > MAX_CSV_BYTES:
        raise DomainError(N_('The CSV file may be at most {limit} KB.'), limit=MAX_CSV_BYTES // 1024)
    try:
        text = data.decode('utf-8-sig')
    except UnicodeDecodeError:
        raise DomainError(N_('The CSV file must be UTF-8 text.')) from None
    records = _lines(text)
    if records and len(records[0][1]) > 2 and not any(_is_number(cell) for cell in records[0][1][1:3]):
        records = records[1:]  # a header row: neither figure is a number
    if not records:
        raise DomainError(N_('The CSV file has no figures.'))
    if len(records) > MAX_CSV_ROWS:
        raise DomainError(N_('At most {limit} rows per file.'), limit=MAX_CSV_ROWS)
    figures = [_csv_figure(show, actor, line, row) for line, row in records]  # any bad line refuses the whole file
    session.add_all(figures)
    return len(figures)


def panel(session: Session, *, show_id: int) -> FiguresPublic:
    """Latest figures per platform, their sums, and the app's own peak — never added together."""
    show = common.load(session, show_id)
    latest: dict[str, PlatformTotalPublic] = {}
    peaks: dict[str, int] = {}
    for row in session.exec(
        select(PlatformFigure)
        .where(PlatformFigure.show_id == show_id)
        .order_by(col(PlatformFigure.recorded_at), col(PlatformFigure.id))
    ):
        peaks[row.platform] = max(peaks.get(row.platform, 0), row.concurrent_peak)
        latest[row.platform] = PlatformTotalPublic(
            platform=row.platform,
            concurrent_peak=peaks[row.platform],
            cumulative_views=row.cumulative_views,
            recorded_at=row.recorded_at,
        )
    platforms = sorted(latest.values(), key=lambda p: -p.cumulative_views)
    return FiguresPublic(
        platforms=platforms,
        platform_peak_sum=sum(p.concurrent_peak for p in platforms),
        platform_views_sum=sum(p.cumulative_views for p in platforms),
        inapp_peak=show.inapp_peak,
    )


def series(session: Session, *, show_id: int) -> dict[str, list[tuple[str, int]]]:
    """The chart over time: cumulative views per platform, and in-app concurrent viewers ('' key), ISO UTC times."""
    out: dict[str, list[tuple[str, int]]] = {}
    for row in session.exec(
        select(PlatformFigure).where(PlatformFigure.show_id == show_id).order_by(col(PlatformFigure.recorded_at))
    ):
        out.setdefault(row.platform, []).append((row.recorded_at.isoformat(), row.cumulative_views))
    samples = session.exec(
        select(ViewerSample).where(ViewerSample.show_id == show_id).order_by(col(ViewerSample.minute))
    )
    out[''] = [(s.minute.isoformat(), s.viewers) for s in samples]
    return out


def sample_viewers(session: Session, *, counts: dict[int, int], now: datetime | None = None) -> int:
    """Once a minute: store the in-app viewer count of each live show and raise its peak (first process wins)."""
    now = now or utcnow()
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    stored = 0
    live = session.exec(select(Show).where(Show.state == ShowState.live)).all()
    for show in live:
        assert show.id is not None
        viewers = counts.get(show.id, 0)
        if viewers > show.inapp_peak:
            show.inapp_peak = viewers
            session.add(show)
        try:
            with session.begin_nested():
                session.add(ViewerSample(show_id=show.id, minute=minute, viewers=viewers))
            stored += 1
        except IntegrityError:
            pass  # another process sampled this minute
    return stored
