"""N residents have Home open; an admin posts an announcement with a unique title."""

import uuid

from bench.fanout_scenarios._common import make_residents, staff_actor
from models.notices import NoticeCreate
from services import db
from services.foundation import notices

PATH = '/'


def prepare(n_clients: int) -> list[int]:
    """N resident accounts with completed profiles (the demo city has only three)."""
    return make_residents(n_clients)


def trigger() -> str:
    """Post an announcement as the demo admin; its title is the marker every Home receives."""
    marker = f'bench-{uuid.uuid4().hex[:12]}'
    draft = NoticeCreate(title_zh=marker, title_en=marker, body_zh='压力测试公告', body_en='Benchmark announcement')
    with db.session_scope() as session:
        notices.post_notice(session, actor=staff_actor('admin'), notice=draft)
    return marker
