"""healthcode: health records, signing keys, checkpoints, passes, paper codes, short codes, admin changes

Revision ID: 0101_healthcode
Revises: 0001_foundation
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0101_healthcode'
down_revision = '0001_foundation'
branch_labels = ('healthcode',)
depends_on = None


def upgrade() -> None:
    op.create_table('hc_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('person_ids', sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
    sa.Column('colour', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('requested_by_account_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decided_by_account_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hc_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hc_change_status'), ['status'], unique=False)

    op.create_table('hc_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('hc_signing_key',
    sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('private_b64', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('public_b64', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('kid')
    )
    op.create_table('hc_paper_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('issued_by_account_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hc_paper_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hc_paper_code_nonce'), ['nonce'], unique=True)
        batch_op.create_index(batch_op.f('ix_hc_paper_code_person_id'), ['person_id'], unique=False)

    op.create_table('hc_pass',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('colour', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('temperature', sa.Float(), nullable=True),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('staff_account_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['hc_checkpoint.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hc_pass', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hc_pass_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hc_pass_checkpoint_id'), ['checkpoint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hc_pass_person_id'), ['person_id'], unique=False)

    op.create_table('hc_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('contact', sa.Boolean(), nullable=False),
    sa.Column('risk_area', sa.Boolean(), nullable=False),
    sa.Column('until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('recorded_by_account_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hc_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hc_record_person_id'), ['person_id'], unique=False)

    op.create_table('hc_short_code',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('hc_short_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hc_short_code_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hc_short_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hc_short_code_person_id'))

    op.drop_table('hc_short_code')
    with op.batch_alter_table('hc_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hc_record_person_id'))

    op.drop_table('hc_record')
    with op.batch_alter_table('hc_pass', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hc_pass_person_id'))
        batch_op.drop_index(batch_op.f('ix_hc_pass_checkpoint_id'))
        batch_op.drop_index(batch_op.f('ix_hc_pass_at'))

    op.drop_table('hc_pass')
    with op.batch_alter_table('hc_paper_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hc_paper_code_person_id'))
        batch_op.drop_index(batch_op.f('ix_hc_paper_code_nonce'))

    op.drop_table('hc_paper_code')
    op.drop_table('hc_signing_key')
    op.drop_table('hc_checkpoint')
    with op.batch_alter_table('hc_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hc_change_status'))

    op.drop_table('hc_change')
