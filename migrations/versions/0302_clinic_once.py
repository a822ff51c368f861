"""clinic: at most one open consultation per person, enforced by the database (a unique partial index)

Revision ID: 0302_clinic_once
Revises: 0301_clinic
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0302_clinic_once'
down_revision: str | Sequence[str] | None = '0301_clinic'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_WHERE = "status IN ('waiting', 'in_consult')"


def upgrade() -> None:
    # A database from before this revision may hold a second open consultation of one person (two tabs at once):
    # the newer ones are closed as "left" so the index can be built.
    op.execute(
        "UPDATE clinic_consultation SET status = 'left' WHERE status IN ('waiting', 'in_consult') AND id NOT IN "
        "(SELECT MIN(id) FROM clinic_consultation WHERE status IN ('waiting', 'in_consult') GROUP BY person_id)"
    )
    with op.batch_alter_table('clinic_consultation', schema=None) as batch_op:
        batch_op.create_index('ux_clinic_open_person', ['person_id'], unique=True,
                              sqlite_where=sa.text(OPEN_WHERE), postgresql_where=sa.text(OPEN_WHERE))


def downgrade() -> None:
    with op.batch_alter_table('clinic_consultation', schema=None) as batch_op:
        batch_op.drop_index('ux_clinic_open_person')
