"""Uploads: posters are checked before decoding (pixel limit from the settings, format by content), viewer figures
are whole numbers in ASCII digits, and a CSV is refused whole with the line of its first bad row — a huge field or
file gets a clear refusal, never an unhandled error or silence."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from PIL import Image
from sqlmodel import func, select

from models.shows import PlatformFigure, Show, ShowState
from services import db
from services.errors import DomainError
from services.settings import settings
from services.shows import figures, posters
from tests.support.pages import see, sign_in_staff
from tests.support.shows import live_show_id, make_show, organizer


def real_png(width: int, height: int) -> bytes:
    """A valid, fully decodable greyscale PNG of width × height, all black: 6300 × 6300 is about 115 KB on disk
    and 40 MB once decoded (the issue's bomb)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack('>I', len(payload)) + kind + payload + struct.pack('>I', zlib.crc32(kind + payload))

    packer = zlib.compressobj(9)
    row = b'\0' * (width + 1)  # filter byte + one byte per pixel
    data = b''.join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', data) + chunk(b'IEND', b'')


def encoded(fmt: str, size: tuple[int, int] = (400, 600)) -> bytes:
    out = io.BytesIO()
    Image.new('RGB', size, (10, 120, 40)).save(out, fmt)
    return out.getvalue()


def figure_rows() -> int:
    with db.read_session() as session:
        return session.exec(select(func.count()).select_from(PlatformFigure)).one()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(settings, 'data_dir', tmp_path)
    return tmp_path


def set_poster(data: bytes) -> str:
    show_id = make_show()
    with db.session_scope() as session:
        return posters.set_poster(session, actor=organizer(), show_id=show_id, data=data).poster


def test_a_6300_by_6300_png_is_refused_before_it_is_decoded(data_dir: Path) -> None:
    bomb = real_png(6300, 6300)
    assert len(bomb) < 200_000
    with pytest.raises(DomainError) as refused:
        set_poster(bomb)
    assert refused.value.message.startswith('The image is too large')
    assert refused.value.params == {'width': 6300, 'height': 6300, 'limit': '25'}
    assert not list(data_dir.glob('posters/*'))


def test_the_pixel_limit_is_the_setting(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert set_poster(real_png(2000, 2000))  # 4 MP: under the default 25 MP
    monkeypatch.setattr(settings, 'max_image_pixels', 1_000_000)
    with pytest.raises(DomainError, match='too large'):
        set_poster(real_png(2000, 2000))


@pytest.mark.parametrize('fmt', ['GIF', 'BMP', 'TIFF', 'ICO', 'PPM'])
def test_only_jpeg_png_and_webp_are_posters(fmt: str, data_dir: Path) -> None:
    with pytest.raises(DomainError, match='JPEG, PNG or WebP'):
        set_poster(encoded(fmt, (200, 200)))


@pytest.mark.parametrize('fmt', ['JPEG', 'PNG', 'WEBP'])
def test_the_format_is_read_from_the_content(fmt: str, data_dir: Path) -> None:
    assert set_poster(encoded(fmt))  # whatever name or type the browser gave it (the service never sees them)
    assert posters.sniff(encoded(fmt)) == fmt
    assert posters.sniff(b'RIFF\0\0\0\0WAVEfmt ') is None  # a RIFF that is not WebP


async def test_the_console_refuses_the_bomb_with_a_message(user: User, data_dir: Path) -> None:
    await sign_in_staff(user, 'organizer1')
    show_id = live_show_id()
    await user.open(f'/organizer/shows/{show_id}')
    upload = next(iter(user.find(marker='scc-poster-upload').elements))
    await upload.handle_uploads([SmallFileUpload('poster.png', 'image/png', real_png(6300, 6300))])  # type: ignore[attr-defined]
    await see(user, '图片太大（6300×6300 像素）：最多 25 百万像素。')
    with db.read_session() as session:
        assert session.get(Show, show_id).poster == ''  # type: ignore[union-attr]


@pytest.mark.parametrize('typed', ['²', '2²', '１２', '٣', '1_000', '1,00', '-1', '1.5', '9' * 5000, ' '])
def test_a_figure_typed_by_hand_is_ascii_digits(typed: str) -> None:
    show_id = make_show(ShowState.live)
    with pytest.raises(DomainError, match='whole number|too large'), db.session_scope() as session:
        figures.add_figure(session, actor=organizer(), show_id=show_id, platform='抖音', concurrent_peak=typed,
                           cumulative_views='1')  # fmt: skip
    with db.session_scope() as session:
        figures.add_figure(session, actor=organizer(), show_id=show_id, platform='抖音', concurrent_peak='1,200,000',
                           cumulative_views=' 42 ')  # fmt: skip
    assert figure_rows() >= 1


@pytest.mark.parametrize(
    ('csv_text', 'line'),
    [
        ('platform,peak,views\n快手,41000,500000\n抖音,²,10\n', 3),  # the header is line 1
        ('快手,41000,500000\n\n\n抖音,１０,10\n', 4),  # blank lines count as lines
        ('快手,1,1\n"抖\n音",1,²\n', 2),  # a quoted line break: the row starts on line 2
        ('快手,1,1\n抖音,1,1\n' + 'x' * 200_000 + ',1,1\n', 3),  # a 200 KB field
        ('快手,1,1\n"unclosed,1,1\n', 2),
        ('快手,1,1\n抖\0音,1,1\n', 2),
        ('快手,1,1\n抖音,' + '9' * 5000 + ',1\n', 2),
        ('快手,1,1\n抖音,1,1,2026-02-30 20:00\n', 2),
        ('快手,1,1\n抖音,1,1,２０２６-11-25 20:00\n', 2),
        ('快手,1,1\n' + 'p' * 300 + ',1,1\n', 2),
    ],
    ids=['superscript', 'blank-lines', 'quoted', 'field-200kb', 'unclosed', 'nul', 'digits', 'date', 'wide', 'long'],
)
def test_a_bad_line_refuses_the_whole_csv_naming_the_line(csv_text: str, line: int) -> None:
    show_id = make_show(ShowState.live)
    before = figure_rows()
    with pytest.raises(DomainError) as refused, db.session_scope() as session:
        figures.import_csv(session, actor=organizer(), show_id=show_id, data=csv_text.encode())
    assert refused.value.message.startswith('Row {row}:') and refused.value.params['row'] == line
    assert figure_rows() == before


def test_a_600_kb_csv_is_refused_with_its_limit() -> None:
    show_id = make_show(ShowState.live)
    data = ('快手,41000,500000\n' * 40_000).encode()
    assert len(data) > 600_000
    with pytest.raises(DomainError, match='at most 512 KB'), db.session_scope() as session:
        figures.import_csv(session, actor=organizer(), show_id=show_id, data=data)


async def test_the_console_says_why_a_csv_is_refused(user: User) -> None:
    await sign_in_staff(user, 'organizer1')
    await user.open(f'/organizer/shows/{live_show_id()}')
    upload = next(iter(user.find(marker='scc-fig-csv').elements))
    header = 'platform,concurrent_peak,cumulative_views\n'
    await upload.handle_uploads([SmallFileUpload('a.csv', 'text/csv', (header + '微博,²,1\n').encode())])  # type: ignore[attr-defined]
    await see(user, '第 2 行：数字必须是大于或等于 0 的整数。')
    await upload.handle_uploads([SmallFileUpload('b.csv', 'text/csv', ('微博,1,' + 'x' * 200_000 + '\n').encode())])  # type: ignore[attr-defined]
    await see(user, '第 1 行')
    big = ('快手,41000,500000\n' * 40_000).encode()
    await upload.handle_uploads([SmallFileUpload('c.csv', 'text/csv', big)])  # type: ignore[attr-defined]
    await see(user, 'CSV 文件最大 512 KB。')
