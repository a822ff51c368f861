"""N residents have the live show's watch page open; a resident posts a comment (unique text) through the service.

Also the in-app trigger of the comment burst (`bench/comments.py`): each call posts one comment as the next
resident of a pool large enough for the per-resident rate limits (one comment per 3 s, ten a minute).
"""

import itertools
import threading
import uuid
from collections.abc import Iterator

from sqlmodel import col, select

from bench.fanout_scenarios._common import BENCH_PHONE_PREFIX, make_residents
from models.accounts import Account, Role
from models.shows import Show, ShowState
from services import db
from services.access import Actor
from services.shows import comments

POOL = 400  # residents who take turns commenting: 100 a second, each at most once every 4 s
PATH = '/shows/0'  # replaced by prepare() with the live demo show's watch page
_lock = threading.Lock()
_turns: dict[str, Iterator[Actor]] = {}
_show: dict[str, int] = {}


def prepare(n_clients: int) -> list[int]:
    """N watchers (the first N of N + POOL residents; all of them take turns commenting)."""
    global PATH
    with db.read_session() as session:
        show_id = session.exec(select(Show.id).where(Show.state == ShowState.live).order_by(col(Show.id))).first()
    if show_id is None:
        raise LookupError('no live show: is the demo city seeded?')
    PATH = f'/shows/{show_id}'
    return make_residents(n_clients + POOL)[:n_clients]


def _next_actor() -> Actor:
    with _lock:
        if 'pool' not in _turns:
            with db.read_session() as session:
                rows = session.exec(select(Account.id, Account.phone).where(
                    col(Account.phone).startswith(BENCH_PHONE_PREFIX)).order_by(col(Account.id))).all()  # fmt: skip
            actors = [
                Actor(account_id=i, role=Role.resident, label=f'{(p or "")[:3]}*') for i, p in rows if i is not None
            ]
            _turns['pool'] = itertools.cycle(actors)
        return next(_turns['pool'])


def _live_show_id() -> int:
    with _lock:
        if 'show' not in _show:
            with db.read_session() as session:
                found = session.exec(select(Show.id).where(Show.state == ShowState.live).order_by(col(Show.id))).first()
            assert found is not None, 'no live show'
            _show['show'] = found
        return _show['show']


def trigger() -> str:
    """One resident posts one comment on the live show; the marker is its text."""
    marker = f'bench {uuid.uuid4().hex[:12]}'
    with db.session_scope() as session:
        comments.post_comment(session, actor=_next_actor(), show_id=_live_show_id(), text=marker)
    return marker
