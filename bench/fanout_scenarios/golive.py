"""N residents have one show's watch page open; the organizer presses the go-live switch.

The marker is the show's stream URL (unique per round), which reaches every page in the go-live update (the
player's source). A show goes live only once in its life, so before each round after the first, `trigger()`
puts the show back to "scheduled" with a fresh stream URL directly in the database — scene-setting that
publishes nothing — and then goes live through `services.shows.lifecycle.go_live`, which publishes the real
SHOW_CHANGED event after commit. Each page runs the same go-live handler every round (badge, banner, player,
times); only the first round finds the pages still showing "scheduled".
"""

import uuid
from datetime import timedelta

from sqlmodel import select

from bench.fanout_scenarios._common import make_residents, staff_actor
from models.common import utcnow
from models.shows import Show, ShowCreate, ShowState
from services import db
from services.shows import editing, lifecycle

TITLE_EN = 'Benchmark go-live'
PATH = '/shows/0'  # replaced by prepare() with the benchmark show's watch page


def prepare(n_clients: int) -> list[int]:
    """N residents, and one scheduled show (its watch page is what every client opens)."""
    global PATH
    start = utcnow() + timedelta(hours=3)
    data = ShowCreate(title_zh='压力测试演出', title_en=TITLE_EN, troupe='济南市京剧院', venue='梨园大剧院',
                     starts_local=editing.format_venue_time(start),
                     ends_local=editing.format_venue_time(start + timedelta(hours=2)),
                     stream_url=f'/media/bench/{uuid.uuid4().hex[:12]}.m3u8',
                     links=[('抖音', 'https://www.douyin.com/'), ('快手', 'https://www.kuaishou.com/')])  # fmt: skip
    with db.session_scope() as session:
        show = editing.create_show(session, actor=staff_actor('organizer1'), data=data)
    PATH = f'/shows/{show.id}'
    return make_residents(n_clients)


def trigger() -> str:
    """The organizer goes live; the marker is this round's stream URL."""
    marker = f'/media/bench/{uuid.uuid4().hex[:12]}.m3u8'
    with db.session_scope() as session:
        show = session.exec(select(Show).where(Show.title_en == TITLE_EN)).one()
        show.state, show.stream_url, show.went_live_at = ShowState.scheduled, marker, None  # scene-setting only
        session.add(show)
        show_id = show.id
    assert show_id is not None
    with db.session_scope() as session:
        lifecycle.go_live(session, actor=staff_actor('organizer1'), show_id=show_id)
    return marker
