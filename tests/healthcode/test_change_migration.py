"""The migration to one row per person of a change moves existing changes (SQLite and PostgreSQL): every
'id@time' item becomes a row with its contact time, the count is kept, people no longer registered are dropped;
going back restores the string."""

from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine
from sqlmodel.sql.sqltypes import UTCDateTime

from services import migrate
from tests.support.actors import demo_id_number
from tests.support.components import empty_database

STAMP = 1_780_000_000
person = sa.table('person', sa.column('id', sa.Integer()), sa.column('real_name', sa.String()),
                  sa.column('district', sa.String()), sa.column('id_number', sa.String()),
                  sa.column('birth_date', sa.Date()), sa.column('subject_id', sa.String()),
                  sa.column('created_at', UTCDateTime()))  # fmt: skip
old_change = sa.table('hc_change', sa.column('id', sa.Integer()), sa.column('kind', sa.String()),
                      sa.column('person_ids', sa.String()), sa.column('colour', sa.String()),
                      sa.column('at', UTCDateTime()), sa.column('reason', sa.String()),
                      sa.column('status', sa.String()), sa.column('requested_by_account_id', sa.Integer()),
                      sa.column('requested_by_label', sa.String()),
                      sa.column('requested_at', UTCDateTime()))  # fmt: skip


def migrate_to(engine: Engine, target: str, *, down: bool = False) -> None:
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes['connection'] = connection
        (command.downgrade if down else command.upgrade)(config, target)


def test_existing_changes_become_rows_and_go_back(tmp_path: Path) -> None:
    with empty_database(tmp_path) as engine:
        migrate_to(engine, '0101_healthcode')
        now = datetime.now(UTC)
        with engine.begin() as connection:
            connection.execute(person.insert(), [
                {'id': pid, 'real_name': f'旧{pid}', 'district': '370102', 'birth_date': date(1960, 1, 1),
                 'id_number': demo_id_number('370102', date(1960, 1, 1), f'{pid:03d}'), 'subject_id': f's{pid}',
                 'created_at': now} for pid in (1, 2, 3)])  # fmt: skip
            connection.execute(old_change.insert(), [
                {'id': 1, 'kind': 'close_contact', 'person_ids': f'1@{STAMP},2,999@{STAMP},2', 'colour': '',
                 'at': now, 'reason': 'traced', 'status': 'pending', 'requested_by_account_id': 1,
                 'requested_by_label': 'Admin', 'requested_at': now},
                {'id': 2, 'kind': 'set_colour', 'person_ids': '3', 'colour': 'red', 'at': now, 'reason': 'by hand',
                 'status': 'applied', 'requested_by_account_id': 1, 'requested_by_label': 'Admin',
                 'requested_at': now}])  # fmt: skip
        migrate_to(engine, 'heads')
        with engine.connect() as connection:
            rows = connection.execute(sa.text('SELECT change_id, person_id, contact_at FROM hc_change_person '
                                              'ORDER BY change_id, person_id')).all()  # fmt: skip
            counts = connection.execute(sa.text('SELECT id, people FROM hc_change ORDER BY id')).all()
        columns = {c['name'] for c in sa.inspect(engine).get_columns('hc_change')}
        assert [(c, p) for c, p, _at in rows] == [(1, 1), (1, 2), (2, 3)]  # 999 was never registered
        assert [at is not None for _c, _p, at in rows] == [True, False, False]
        assert _as_utc(rows[0][2]) == datetime.fromtimestamp(STAMP, UTC)
        assert [tuple(c) for c in counts] == [(1, 2), (2, 1)]
        assert 'person_ids' not in columns and 'people' in columns

        migrate_to(engine, '0102_healthcode_changes-1', down=True)
        with engine.connect() as connection:
            back = connection.execute(sa.text('SELECT id, person_ids FROM hc_change ORDER BY id')).all()
        assert [tuple(b) for b in back] == [(1, f'1@{STAMP},2'), (2, '3')]
        assert 'hc_change_person' not in sa.inspect(engine).get_table_names()


def _as_utc(value: datetime | str) -> datetime:
    # Raw SQL: PostgreSQL answers an aware datetime, SQLite the stored text.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
