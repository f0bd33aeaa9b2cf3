"""CPD: reflections, the CPD log and attendance certificates

Revision ID: 3d4e5f607182
Revises: 2c3d4e5f6071
Create Date: 2026-12-07 04:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '3d4e5f607182'
down_revision = '2c3d4e5f6071'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cpd_emails', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('cpd_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'complete', name='recordstatus', native_enum=False, length=30), nullable=False),
    sa.Column('cpd_type', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('programme_name', sa.String(length=200), nullable=False),
    sa.Column('activity_date', sa.Date(), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('learning', sa.Text(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('has_peer_reflection', sa.Boolean(), nullable=False),
    sa.Column('peer_role', sa.String(length=200), nullable=False),
    sa.Column('peer_learning', sa.Text(), nullable=False),
    sa.Column('practice_standards', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('place_id')
    )
    op.create_index('ix_cpd_record_user_date', 'cpd_record', ['user_id', 'activity_date'], unique=False)
    op.create_table('cpd_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('place_id')
    )
    op.create_index(op.f('ix_cpd_certificate_user_id'), 'cpd_certificate', ['user_id'], unique=False)
    op.create_table('cpd_nudge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('registration_year', sa.Integer(), nullable=False),
    sa.Column('round', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'registration_year', 'round', name='uq_cpd_nudge_once')
    )


def downgrade():
    op.drop_table('cpd_nudge')
    op.drop_index(op.f('ix_cpd_certificate_user_id'), table_name='cpd_certificate')
    op.drop_table('cpd_certificate')
    op.drop_index('ix_cpd_record_user_date', table_name='cpd_record')
    op.drop_table('cpd_record')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('cpd_emails')
