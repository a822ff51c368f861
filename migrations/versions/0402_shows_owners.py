"""shows: co-organizers (show_organizer); a show's owner is the organizer who created it (cloud_show.created_by)

Revision ID: 0402_shows_owners
Revises: 0401_shows
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0402_shows_owners'
down_revision: str | Sequence[str] | None = '0401_shows'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('show_organizer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.ForeignKeyConstraint(['added_by'], ['account.id'], ),
    sa.ForeignKeyConstraint(['show_id'], ['cloud_show.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('show_id', 'account_id')
    )
    with op.batch_alter_table('show_organizer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_show_organizer_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_show_organizer_show_id'), ['show_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('show_organizer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_show_organizer_show_id'))
        batch_op.drop_index(batch_op.f('ix_show_organizer_account_id'))
    op.drop_table('show_organizer')
