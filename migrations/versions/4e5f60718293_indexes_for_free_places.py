"""indexes for counting a Network Day's free places: places per event and status, membership places per day

Revision ID: 4e5f60718293
Revises: 3d4e5f607182
Create Date: 2026-12-07 04:50:00.000000

"""
from alembic import op


revision = '4e5f60718293'
down_revision = '3d4e5f607182'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.create_index('ix_place_event_status', ['event_id', 'status'], unique=False)
        batch_op.drop_index('ix_place_event_id')
    with op.batch_alter_table('network_place', schema=None) as batch_op:
        batch_op.create_index('ix_network_place_membership_day', ['membership_day_id', 'agency_id'], unique=False)


def downgrade():
    with op.batch_alter_table('network_place', schema=None) as batch_op:
        batch_op.drop_index('ix_network_place_membership_day')
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.create_index('ix_place_event_id', ['event_id'], unique=False)
        batch_op.drop_index('ix_place_event_status')
