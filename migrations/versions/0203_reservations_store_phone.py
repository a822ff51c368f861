"""reservations: the store's phone number (shown on the reserve page)

Revision ID: 0203_reservations_store_phone
Revises: 0202_reservations_once
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0203_reservations_store_phone'
down_revision: str | Sequence[str] | None = '0202_reservations_once'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('res_store') as batch:
        batch.add_column(sa.Column('phone', sa.String(length=32), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('res_store') as batch:
        batch.drop_column('phone')
