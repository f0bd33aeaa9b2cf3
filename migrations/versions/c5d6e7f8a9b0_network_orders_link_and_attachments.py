"""network orders: memberships and extra places know the order that bought them, places offered by email; outbox attachments

Revision ID: c5d6e7f8a9b0
Revises: b4c2d3e5f6a7
Create Date: 2026-12-07 01:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'c5d6e7f8a9b0'
down_revision = 'b4c2d3e5f6a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('network_membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_network_membership_order_id'), ['order_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_network_membership_order_id_billing_order'), 'billing_order',
                                    ['order_id'], ['id'], ondelete='RESTRICT')
    with op.batch_alter_table('network_place', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_line_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('invited_email', sa.String(length=320), nullable=True))
        batch_op.create_index(batch_op.f('ix_network_place_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_network_place_order_line_id_billing_order_line'),
                                    'billing_order_line', ['order_line_id'], ['id'], ondelete='RESTRICT')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_filename', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('attachment_mimetype', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment_data', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('attachment_data')
        batch_op.drop_column('attachment_mimetype')
        batch_op.drop_column('attachment_filename')
    with op.batch_alter_table('network_place', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_network_place_order_line_id_billing_order_line'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_network_place_order_line_id'))
        batch_op.drop_column('invited_email')
        batch_op.drop_column('order_line_id')
    with op.batch_alter_table('network_membership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_network_membership_order_id_billing_order'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_network_membership_order_id'))
        batch_op.drop_column('order_id')
