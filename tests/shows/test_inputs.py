"""Bad input on shows: links and stream URLs, times, posters (non-images, oversized files, decompression bombs),
comments (escaping, length, rate limits, hiding), viewer figures and their CSV import."""

import io
import struct
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlmodel import select

from models.common import utcnow
from models.shows import PlatformFigure, Show, ShowComment, ShowState
from services import db
from services.access import Actor
from services.errors import DomainError, Forbidden
from services.settings import settings
from services.shows import SHOW_COMMENT, comments, common, editing, figures, posters
from tests.support.shows import Caught, form, make_show, organizer, resident


def create(**overrides: Any) -> int:
    with db.session_scope() as session:
        return editing.create_show(session, actor=organizer(), data=form(**overrides)).id


def count(model: type) -> int:
    with db.read_session() as session:
        return len(session.exec(select(model)).all())


@pytest.mark.parametrize(
    'url',
    [
        'javascript:alert(1)',
        'ftp://example.com/x',
        'https://',
        'www.douyin.com',
        'https://a b.com/',
        'data:text/html,hi',
    ],
)
def test_platform_links_must_be_http_or_https(url: str) -> None:
    shows = count(Show)
    with pytest.raises(DomainError, match='http'):
        create(links=[('抖音', url)])
    assert count(Show) == shows  # nothing was stored


def test_a_link_needs_a_name_and_links_are_kept_in_order() -> None:
    with pytest.raises(DomainError, match='Platform name'):
        create(links=[('', 'https://www.kuaishou.com/')])
    show_id = create(
        links=[('快手', 'https://www.kuaishou.com/'), ('', ''), ('bilibili', 'http://live.bilibili.com/1')]
    )
    with db.read_session() as session:
        assert [(link.name, link.url) for link in common.links_of(session, show_id)] == [
            ('快手', 'https://www.kuaishou.com/'),
            ('bilibili', 'http://live.bilibili.com/1'),
        ]


def test_stream_urls_and_required_fields() -> None:
    for overrides, message in (
        ({'stream_url': 'rtmp://x/live'}, 'http'),
        ({'title_zh': ''}, 'Title'),
        ({'troupe': '   '}, 'Troupe'),
        ({'title_en': 'x' * 121}, '120'),
        ({'starts_local': '2026/12/01 19:30'}, 'YYYY-MM-DD'),
        ({'starts_in': timedelta(hours=-2)}, 'future'),
        ({'length': timedelta(hours=-1)}, 'after the start'),
    ):
        with pytest.raises(DomainError, match=message):
            create(**overrides)
    assert create(stream_url='https://cdn.example.com/live/index.m3u8') > 0


def test_moving_a_started_show_needs_a_postponement() -> None:
    show_id = make_show(ShowState.live)
    data = form(starts_in=timedelta(days=5))
    with db.session_scope() as session, pytest.raises(DomainError, match='postpone'):
        editing.update_show(session, actor=organizer(), show_id=show_id, data=data)


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims to be width × height: a decompression bomb only needs the header to lie."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack('>I', len(payload)) + kind + payload + struct.pack('>I', zlib.crc32(kind + payload))

    ihdr = struct.pack('>IIBBBBB', width, height, 1, 0, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(b'\0' * 64)) + chunk(b'IEND', b'')


def image_bytes(size: tuple[int, int] = (800, 1200), fmt: str = 'PNG') -> bytes:
    out = io.BytesIO()
    Image.new('RGB', size, (180, 20, 40)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ('data', 'message'),
    [
        (b'', 'empty'),
        (b'%PDF-1.4 not an image at all', 'not an image'),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', 'not an image'),
        (png_header(30_000, 30_000), 'too large'),
        (png_header(100_000, 100_000), 'too large'),
        (image_bytes()[:200], 'not an image'),
        (image_bytes((40, 40)), 'too small'),
        (b'\xff' * (posters.MAX_BYTES + 1), 'at most 5 MB'),
    ],
    ids=['empty', 'pdf', 'svg', 'bomb', 'huge-bomb', 'truncated', 'tiny', 'oversized'],
)
def test_bad_posters_are_refused_with_a_message(
    data: bytes, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, 'data_dir', tmp_path)
    show_id = make_show()
    with db.session_scope() as session, pytest.raises(DomainError, match=message):
        posters.set_poster(session, actor=organizer(), show_id=show_id, data=data)
    with db.read_session() as session:
        assert session.get(Show, show_id).poster == ''  # type: ignore[union-attr]


def test_a_poster_is_resized_into_thumbnails_under_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, 'data_dir', tmp_path)
    show_id = make_show()
    with db.session_scope() as session:
        show = posters.set_poster(session, actor=organizer(), show_id=show_id, data=image_bytes((2400, 3600), 'JPEG'))
    for name, side in posters.SIZES.items():
        path = posters.poster_path(f'{show.poster}-{name}.jpg')
        assert path is not None and path.parent == tmp_path / 'posters'
        with Image.open(path) as thumb:
            assert thumb.format == 'JPEG' and max(thumb.size) == side
    assert posters.poster_path('../../etc/passwd') is None
    assert posters.poster_path(f'{show.poster}-huge.jpg') is None


def post(text: str, actor: Actor | None = None, show_id: int | None = None) -> int:
    with db.session_scope() as session:
        return comments.post_comment(session, actor=actor or resident(), show_id=show_id or SHOW['id'], text=text).id


SHOW: dict[str, int] = {}


@pytest.fixture
def live_show() -> int:
    SHOW['id'] = make_show(ShowState.live)
    return SHOW['id']


def test_comments_are_stored_as_typed_and_length_limited(live_show: int) -> None:
    caught = Caught(SHOW_COMMENT)
    post('<script>alert("x")</script> 好!')
    assert caught.payloads()[0].comment.text == '<script>alert("x")</script> 好!'
    with pytest.raises(DomainError, match='140'):
        post('好' * 141, actor=resident('13800000002'))
    with pytest.raises(DomainError, match='Comment'):
        post('   ', actor=resident('13800000002'))
    with pytest.raises(DomainError, match='cannot be stored'):
        post('bell\x07', actor=resident('13800000002'))


def test_comments_are_rate_limited_per_resident(live_show: int) -> None:
    post('第一条')
    with pytest.raises(DomainError, match='too fast'):
        post('第二条')
    post('别人的评论', actor=resident('13800000002'))  # another resident is not held up
    with db.session_scope() as session:  # ten comments in the last minute, each more than 3 s apart
        for row in session.exec(select(ShowComment)):
            session.delete(row)
        for seconds in range(10):
            session.add(ShowComment(show_id=live_show, account_id=resident().account_id, author='x', text='x',
                                    created_at=utcnow() - timedelta(seconds=5 + 5 * seconds)))  # fmt: skip
    with pytest.raises(DomainError, match='10 comments a minute'):
        post('第十一条')


def test_organizers_hide_comments_for_everyone(live_show: int) -> None:
    comment_id = post('广告 spam')
    caught = Caught(SHOW_COMMENT)
    with db.session_scope() as session, pytest.raises(Forbidden):
        comments.hide_comment(session, actor=resident('13800000002'), comment_id=comment_id)
    with db.session_scope() as session:
        comments.hide_comment(session, actor=organizer(), comment_id=comment_id)
    assert [(p.action, p.comment.id) for p in caught.payloads()] == [('hidden', comment_id)]
    with db.read_session() as session:
        assert comments.recent_comments(session, show_id=live_show) == []
        assert comments.recent_comments(session, show_id=live_show, include_hidden=True)[0].hidden


def test_comments_are_closed_on_a_cancelled_show() -> None:
    with pytest.raises(DomainError, match='closed'):
        post('还有吗', show_id=make_show(ShowState.cancelled))


def test_platform_figures_entered_and_imported_stay_apart_from_in_app_counts() -> None:
    show_id = make_show(ShowState.live)
    actor = organizer()
    with db.session_scope() as session:
        figures.add_figure(session, actor=actor, show_id=show_id, platform='抖音', concurrent_peak='95,000',
                           cumulative_views='1,200,000')  # fmt: skip
        session.get(Show, show_id).inapp_peak = 321  # type: ignore[union-attr]
    header = 'platform,concurrent_peak,cumulative_views,recorded_at\n'
    csv_text = header + '快手,41000,500000,2026-11-25 20:00\n央视频,18000,250000\n'
    with db.session_scope() as session:
        assert figures.import_csv(session, actor=actor, show_id=show_id, data=csv_text.encode()) == 2
    with db.read_session() as session:
        panel = figures.panel(session, show_id=show_id)
    assert panel.platform_views_sum == 1_950_000 and panel.platform_peak_sum == 154_000
    assert panel.inapp_peak == 321  # never added into the platform sums
    assert [p.platform for p in panel.platforms] == ['抖音', '快手', '央视频']


@pytest.mark.parametrize(
    ('csv_text', 'message'),
    [
        ('快手,41000\n', 'Row 1: expected'),
        ('快手,41000,500000\n抖音,-5,10\n', 'Row 2: the figures'),
        ('快手,41000,500000\n,1,1\n', 'Row 2: the platform'),
        ('快手,1,1,yesterday\n', 'Row 1: please write the time'),
        ('', 'no figures'),
    ],
)
def test_a_bad_csv_imports_nothing(csv_text: str, message: str) -> None:
    show_id = make_show(ShowState.live)
    before = count(PlatformFigure)
    with db.session_scope() as session, pytest.raises(DomainError, match=message):
        figures.import_csv(session, actor=organizer(), show_id=show_id, data=csv_text.encode())
    assert count(PlatformFigure) == before
    with db.session_scope() as session, pytest.raises(DomainError, match='UTF-8'):
        figures.import_csv(session, actor=organizer(), show_id=show_id, data='快手,1,1'.encode('gbk'))


def test_manual_figures_must_be_whole_numbers() -> None:
    show_id = make_show(ShowState.live)
    with db.session_scope() as session, pytest.raises(DomainError, match='whole number'):
        figures.add_figure(session, actor=organizer(), show_id=show_id, platform='抖音', concurrent_peak='lots',
                           cumulative_views='1')  # fmt: skip
