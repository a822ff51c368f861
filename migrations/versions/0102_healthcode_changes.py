"""healthcode: the people of an admin's change in rows of their own (hc_change_person), instead of one
'id@time,' string in hc_change.person_ids (varchar 20000: about 1,100 people fitted on PostgreSQL)

Revision ID: 0102_healthcode_changes
Revises: 0101_healthcode
"""

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0102_healthcode_changes'
down_revision = '0101_healthcode'
branch_labels = None
depends_on = None

BATCH = 1000

change = sa.table('hc_change', sa.column('id', sa.Integer()), sa.column('person_ids', sa.String()),
                  sa.column('people', sa.Integer()))  # fmt: skip
change_person = sa.table('hc_change_person', sa.column('change_id', sa.Integer()),
                         sa.column('person_id', sa.Integer()),
                         sa.column('contact_at', sqlmodel.sql.sqltypes.UTCDateTime()))  # fmt: skip
person = sa.table('person', sa.column('id', sa.Integer()))


def upgrade() -> None:
    # Read first, then change hc_change, then create the child table and fill it: on SQLite the column drop
    # rebuilds hc_change, which must not yet have rows pointing at it (foreign keys are on).
    bind = op.get_bind()
    people = {change_id: _decoded(encoded) for change_id, encoded in
              bind.execute(sa.select(change.c.id, change.c.person_ids)).all()}  # fmt: skip
    with op.batch_alter_table('hc_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('people', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_column('person_ids')
    with op.batch_alter_table('hc_change', schema=None) as batch_op:
        batch_op.alter_column('people', server_default=None)
    op.create_table('hc_change_person',
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('contact_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['change_id'], ['hc_change.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('change_id', 'person_id')
    )
    with op.batch_alter_table('hc_change_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hc_change_person_person_id'), ['person_id'], unique=False)
    for change_id, items in people.items():
        rows = _registered(bind, change_id, items)
        for start in range(0, len(rows), BATCH):
            bind.execute(change_person.insert(), rows[start : start + BATCH])
        bind.execute(change.update().where(change.c.id == change_id).values(people=len(rows)))


def _decoded(encoded: str | None) -> dict[int, datetime | None]:
    """'12@1700000000,13' → {12: that time, 13: None} (None: the change's own time applies)."""
    found: dict[int, datetime | None] = {}
    for item in (encoded or '').split(','):
        pid, _sep, stamp = item.strip().partition('@')
        if pid.isdigit():
            found.setdefault(int(pid), datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else None)
    return found


def _registered(bind: sa.Connection, change_id: int, items: dict[int, datetime | None]) -> list[dict[str, object]]:
    """The rows of one change, without people no longer registered (the string never had a foreign key)."""
    ids = list(items)
    known: set[int] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        known.update(row[0] for row in bind.execute(sa.select(person.c.id).where(person.c.id.in_(chunk))))
    return [{'change_id': change_id, 'person_id': pid, 'contact_at': at} for pid, at in items.items() if pid in known]


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(change_person.c.change_id, change_person.c.person_id, change_person.c.contact_at)
                        .order_by(change_person.c.change_id, change_person.c.person_id)).all()  # fmt: skip
    encoded: dict[int, list[str]] = {}
    for change_id, pid, at in rows:
        encoded.setdefault(change_id, []).append(f'{pid}@{int(at.timestamp())}' if at else str(pid))
    with op.batch_alter_table('hc_change_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hc_change_person_person_id'))
    op.drop_table('hc_change_person')
    with op.batch_alter_table('hc_change', schema=None) as batch_op:
        # The old column's limit: a change of more than about 1,100 people cannot go back (it would not fit).
        batch_op.add_column(sa.Column('person_ids', sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False,
                                      server_default=''))  # fmt: skip
        batch_op.drop_column('people')
    for change_id, items in encoded.items():
        bind.execute(change.update().where(change.c.id == change_id).values(person_ids=','.join(items)))
    with op.batch_alter_table('hc_change', schema=None) as batch_op:
        batch_op.alter_column('person_ids', server_default=None)
