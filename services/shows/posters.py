"""Poster images: checked with Pillow (real image, size, decompression bombs) and stored as JPEG thumbnails."""

import io
import re
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
MAX_PIXELS = 40_000_000  # more than this is refused before decoding (a decompression bomb)
FORMATS = ('JPEG', 'PNG', 'WEBP', 'GIF')
SIZES = {'large': 1200, 'small': 360}  # longest side in pixels
NAME_RE = re.compile(r'[A-Za-z0-9_-]{4,40}-(large|small)\.jpg')


def poster_dir() -> Path:
    """Where thumbnails live: data_dir/posters."""
    path = Path(settings.data_dir) / 'posters'
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_thumbnails(data: bytes) -> dict[str, bytes]:
    """Check an uploaded image and return JPEG thumbnails by size name; refuses with a clear reason."""
    if not data:
        raise DomainError(N_('The file is empty.'))
    if len(data) > MAX_BYTES:
        raise DomainError(N_('The poster may be at most {limit} MB.'), limit=MAX_BYTES // (1024 * 1024))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('error', Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise DomainError(N_('The poster must be a JPEG, PNG, WebP or GIF image.'))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise DomainError(N_('The image is too large ({width}×{height} pixels).'), width=width, height=height)
            if width < 100 or height < 100:
                raise DomainError(N_('The image is too small: at least 100×100 pixels.'))
            image.load()
    except DomainError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise DomainError(N_('The image is too large to open safely.')) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
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
    common.require_organizer(actor)
    show = common.load(session, show_id, lock=True)
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
