"""shows: the troupe's and the venue's English names (cloud_show.troupe_en, venue_en; empty: the Chinese one is shown)

Revision ID: 0403_shows_names_en
Revises: 0402_shows_owners
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0403_shows_names_en'
down_revision: str | Sequence[str] | None = '0402_shows_owners'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cloud_show', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('troupe_en', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('venue_en', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default='')
        )


def downgrade() -> None:
    with op.batch_alter_table('cloud_show', schema=None) as batch_op:
        batch_op.drop_column('venue_en')
        batch_op.drop_column('troupe_en')
