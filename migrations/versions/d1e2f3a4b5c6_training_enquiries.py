"""training enquiries: bespoke-training enquiries sent to a Network programme's organisers

Revision ID: d1e2f3a4b5c6
Revises: c5d6e7f8a9b0
Create Date: 2026-12-07 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'd1e2f3a4b5c6'
down_revision = 'c5d6e7f8a9b0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'training_enquiry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('organisation_name', sa.String(length=200), nullable=False),
        sa.Column('contact_name', sa.String(length=200), nullable=False),
        sa.Column('contact_email', sa.String(length=320), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('training', sa.Text(), nullable=False),
        sa.Column('audience', sa.Text(), nullable=False),
        sa.Column('preferred_dates', sa.String(length=500), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_training_enquiry_answered_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_training_enquiry_programme_id_programme'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_enquiry')),
    )
    with op.batch_alter_table('training_enquiry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_enquiry_programme_id'), ['programme_id'], unique=False)


def downgrade():
    with op.batch_alter_table('training_enquiry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_enquiry_programme_id'))
    op.drop_table('training_enquiry')
