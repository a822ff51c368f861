"""N residents wait in the fever clinic queue with their consultation page open; another patient joins.

Every waiting page shows how many people are waiting, so one join changes one label on every page: the queue is
recomputed once in the app (the board), and each page reads its own place from that snapshot.
"""

from datetime import date

from bench.fanout_scenarios._common import make_residents
from models.clinic import ClinicConsultationCreate
from services import db
from services.access import load_actor

PATH = '/clinic/current'  # redirects each resident to their own open consultation


def _join(account_id: int) -> None:
    from services.clinic import queue

    with db.session_scope() as session:
        actor = load_actor(session, account_id)
        assert actor is not None and actor.person_id is not None
        form = ClinicConsultationCreate(
            person_id=actor.person_id, temperature=37.8, symptoms=['cough'], onset_date=date.today()
        )
        queue.start_consultation(session, actor=actor, form=form)


def prepare(n_clients: int) -> list[int]:
    """N residents, each with a waiting consultation (mild fever, so a newcomer queues behind them all)."""
    ids = make_residents(n_clients)
    for account_id in ids:
        _join(account_id)
    return ids


def trigger() -> str:
    """One more resident joins at the end of the queue; the marker is the new "People waiting" text."""
    from services.clinic.board import waiting_count
    from services.i18n import translate
    from services.settings import settings

    _join(make_residents(1)[0])
    with db.read_session() as session:
        count = waiting_count(session)
    # Each round's count is new: the queue only grows during the bench.
    return translate(settings.default_language, 'People waiting: {n}').format(n=count)
