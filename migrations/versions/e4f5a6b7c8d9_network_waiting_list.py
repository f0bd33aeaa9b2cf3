"""network waiting list: agencies waiting for extra places on a full Network Day

Revision ID: e4f5a6b7c8d9
Revises: d1e2f3a4b5c6
Create Date: 2026-12-07 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'e4f5a6b7c8d9'
down_revision = 'd1e2f3a4b5c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'network_waitlist_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['organisation.id'],
                                name=op.f('fk_network_waitlist_entry_agency_id_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['id'], ['waitlist_entry.id'], name=op.f('fk_network_waitlist_entry_id_waitlist_entry'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_waitlist_entry')),
    )
    with op.batch_alter_table('network_waitlist_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_waitlist_entry_agency_id'), ['agency_id'], unique=False)


def downgrade():
    with op.batch_alter_table('network_waitlist_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_waitlist_entry_agency_id'))
    op.drop_table('network_waitlist_entry')
