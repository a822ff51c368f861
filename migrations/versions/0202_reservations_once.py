"""reservations: one active booking per person and slot, one open waitlist place, pharmacists' stores

Revision ID: 0202_reservations_once
Revises: 0201_reservations
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0202_reservations_once'
down_revision: str | Sequence[str] | None = '0201_reservations'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "status IN ('booked', 'applied')"
OPEN_WAIT = "status IN ('waiting', 'offered')"


def _close_duplicates() -> None:
    """Before the unique indexes: the second and later active bookings of one person in one slot (left by the
    retries that issue 10 found) are cancelled, their stock and quota given back; the same for waitlist places."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    if bind.dialect.name == 'sqlite':
        now_value: object = now.strftime('%Y-%m-%d %H:%M:%S.%f')
    else:
        now_value = now
    duplicates = bind.execute(sa.text(f"""
        SELECT r.id, r.slot_id, r.person_id, r.item_id, r.quantity, r.status FROM reservation r
        WHERE r.{ACTIVE} AND EXISTS (SELECT 1 FROM reservation o WHERE o.slot_id = r.slot_id
              AND o.person_id = r.person_id AND o.{ACTIVE} AND o.id < r.id)""")).all()  # fmt: skip
    for row in duplicates:
        bind.execute(sa.text("UPDATE reservation SET status = 'cancelled', closed_at = :now WHERE id = :id"),
                     {'now': now_value, 'id': row.id})  # fmt: skip
        bind.execute(sa.text('UPDATE res_quota SET used = CASE WHEN used > :q THEN used - :q ELSE 0 END '
                             'WHERE person_id = :p AND item_id = :i'),
                     {'q': row.quantity, 'p': row.person_id, 'i': row.item_id})  # fmt: skip
        if str(row.status) == 'booked':
            bind.execute(sa.text('UPDATE res_slot SET remaining = remaining + :q WHERE id = :s'),
                         {'q': row.quantity, 's': row.slot_id})  # fmt: skip
    waits = bind.execute(sa.text(f"""
        SELECT w.id, w.status, w.quantity, w.offered_slot_id FROM res_wait w
        WHERE w.{OPEN_WAIT} AND EXISTS (SELECT 1 FROM res_wait o WHERE o.store_id = w.store_id
              AND o.item_id = w.item_id AND o.day = w.day AND o.person_id = w.person_id
              AND o.{OPEN_WAIT} AND o.id < w.id)""")).all()  # fmt: skip
    for row in waits:
        bind.execute(sa.text("UPDATE res_wait SET status = 'cancelled' WHERE id = :id"), {'id': row.id})
        if str(row.status) == 'offered' and row.offered_slot_id is not None:
            bind.execute(sa.text('UPDATE res_slot SET remaining = remaining + :q WHERE id = :s'),
                         {'q': row.quantity, 's': row.offered_slot_id})  # fmt: skip


def upgrade() -> None:
    _close_duplicates()
    op.create_table(
        'res_store_staff',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.ForeignKeyConstraint(['store_id'], ['res_store.id']),
        sa.PrimaryKeyConstraint('account_id', 'store_id'),
    )
    with op.batch_alter_table('res_store_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_res_store_staff_store_id'), ['store_id'], unique=False)
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.create_index('uq_reservation_active', ['slot_id', 'person_id'], unique=True,
                              sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))  # fmt: skip
    with op.batch_alter_table('res_wait', schema=None) as batch_op:
        batch_op.create_index('uq_res_wait_open', ['store_id', 'item_id', 'day', 'person_id'], unique=True,
                              sqlite_where=sa.text(OPEN_WAIT), postgresql_where=sa.text(OPEN_WAIT))  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table('res_wait', schema=None) as batch_op:
        batch_op.drop_index('uq_res_wait_open')
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.drop_index('uq_reservation_active')
    with op.batch_alter_table('res_store_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_res_store_staff_store_id'))
    op.drop_table('res_store_staff')
