"""Poster images: the format recognised by content (JPEG, PNG, WebP), the pixel count read from the header and
refused above settings.max_image_pixels before anything is decoded, then stored as JPEG thumbnails."""

import io
import re
import struct
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlmodel import Session

from models.common import new_token
from models.shows import ShowPublic
from services.access import Actor
from services.errors import N_, DomainError
from services.settings import settings
from services.shows import common

MAX_BYTES = 5 * 1024 * 1024
# Recognised by their first bytes, never by the file's name or the browser's word; only these decoders ever run.
SIGNATURES = {'JPEG': (b'\xff\xd8\xff',), 'PNG': (b'\x89PNG\r\n\x1a\n',), 'WEBP': (b'RIFF',)}
FORMATS = tuple(SIGNATURES)
MIN_SIDE = 100
SIZES = {'large': 1200, 'small': 360}  # longest side in pixels
NAME_RE = re.compile(r'[A-Za-z0-9_-]{4,40}-(large|small)\.jpg')


def poster_dir() -> Path:
    """Where thumbnails live: data_dir/posters."""
    path = Path(settings.data_dir) / 'posters'
    path.mkdir(parents=True, exist_ok=True)
    return path


def sniff(data: bytes) -> str | None:
    """The image format by content (JPEG, PNG or WebP), or None."""
    for name, prefixes in SIGNATURES.items():
        if any(data.startswith(p) for p in prefixes) and (name != 'WEBP' or data[8:12] == b'WEBP'):
            return name
    return None


def check_header(data: bytes) -> Image.Image:
    """Open the image lazily and check what its header says — format, pixel count, size — before anything is
    decoded: a 100 KB PNG can claim 6300×6300 pixels and take half a gigabyte once decoded."""
    if not data:
        raise DomainError(N_('The file is empty.'))
    if len(data) > MAX_BYTES:
        raise DomainError(N_('The poster may be at most {limit} MB.'), limit=MAX_BYTES // (1024 * 1024))
    kind = sniff(data)
    if kind is None:
        raise DomainError(N_('This file is not an image we can read: the poster must be a JPEG, PNG or WebP image.'))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('error', Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])  # reads the header only
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise DomainError(N_('The image is too large to open safely.')) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error):
        raise DomainError(N_('This file is not an image we can read.')) from None
    width, height = image.size
    limit = settings.max_image_pixels
    if width * height > limit:
        raise DomainError(N_('The image is too large ({width}×{height} pixels): at most {limit} million pixels.'),
                          width=width, height=height, limit=f'{limit / 1_000_000:g}')  # fmt: skip
    if width < MIN_SIDE or height < MIN_SIDE:
        raise DomainError(N_('The image is too small: at least 100×100 pixels.'))
    return image


def make_thumbnails(data: bytes) -> dict[str, bytes]:
    """Check an uploaded image and return JPEG thumbnails by size name; refuses with a clear reason."""
    image = check_header(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('error', Image.DecompressionBombWarning)
            image.load()  # the first frame only: an animated WebP is a still poster
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise DomainError(N_('The image is too large to open safely.')) from None
    except (OSError, ValueError, SyntaxError, struct.error, EOFError):
        raise DomainError(N_('This file is not an image we can read.')) from None
    rgb = image.convert('RGB')
    result: dict[str, bytes] = {}
    for name, side in SIZES.items():
        copy = rgb.copy()
        copy.thumbnail((side, side))
        out = io.BytesIO()
        copy.save(out, 'JPEG', quality=85, optimize=True)
        result[name] = out.getvalue()
    return result


def set_poster(session: Session, *, actor: Actor, show_id: int, data: bytes) -> ShowPublic:
    """Store a new poster for the show (old thumbnails stay on disk: a failed commit never loses the poster)."""
    show = common.load_editable(session, actor, show_id)
    thumbnails = make_thumbnails(data)
    stem = f'{show_id}-{new_token(9)}'
    folder = poster_dir()
    for name, content in thumbnails.items():
        (folder / f'{stem}-{name}.jpg').write_bytes(content)
    show.poster = stem
    common.record(session, show, actor=actor, action='poster')
    return common.to_public(session, show)


def poster_path(name: str) -> Path | None:
    """The file of a thumbnail by its public name, or None (names are checked: no path tricks)."""
    if not NAME_RE.fullmatch(name):
        return None
    path = poster_dir() / name
    return path if path.is_file() else None
