"""N residents have their health code open; one mass change (as after contact tracing) turns every code red, the
next one green again (an admin's correction): each screen flips at once and shows the admin's reason, which
carries the marker."""

import uuid

from bench.fanout_scenarios._common import BENCH_PHONE_PREFIX, make_residents

PATH = '/code'


def prepare(n_clients: int) -> list[int]:
    """N resident accounts with completed profiles, each with the code screen open."""
    return make_residents(n_clients)


def trigger() -> str:
    """Set every bench resident's colour by hand (alternating red and green, one record each, one transaction); the
    reason is the marker each open code screen shows in its instant flip."""
    from sqlmodel import col, select

    from models.accounts import Account, Person
    from models.common import utcnow
    from models.healthcode import HealthRecord
    from services import db
    from services.healthcode.records import append_records, current_colour

    marker = f'bench-{uuid.uuid4().hex[:12]}'
    with db.session_scope() as session:
        query = select(Person.id).join(Account, col(Account.id) == Person.account_id)
        ids = [pid for pid in session.exec(query.where(col(Account.phone).startswith(BENCH_PHONE_PREFIX))) if pid]
        colour = 'green' if current_colour(session, person_id=ids[0]) == 'red' else 'red'
        now = utcnow()
        append_records(session, [HealthRecord(person_id=pid, kind='manual', value=colour, at=now, note=marker)
                                 for pid in ids])  # fmt: skip
    return marker
