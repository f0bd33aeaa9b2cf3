"""retention: a record of each scheduled job's last run

Revision ID: 5f6071829304
Revises: 4e5f60718293
Create Date: 2026-12-07 07:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '5f6071829304'
down_revision = '4e5f60718293'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rows_affected', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('ix_job_run_name_id', ['name', 'id'], unique=False)
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details_erased_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('invitation_list_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expired_at', sa.DateTime(timezone=True), nullable=True))
    # Entries that expired before this was recorded count from when they were made (at most 7 days early).
    op.execute("UPDATE invitation_list_entry SET expired_at = created_at WHERE status = 'expired'")


def downgrade():
    with op.batch_alter_table('invitation_list_entry', schema=None) as batch_op:
        batch_op.drop_column('expired_at')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('details_erased_at')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_job_run_name_id')
    op.drop_table('job_run')
