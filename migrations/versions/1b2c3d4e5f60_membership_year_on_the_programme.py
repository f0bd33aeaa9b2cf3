"""the membership year's start moves from billing settings to the programme, so Network Days read it too

Revision ID: 1b2c3d4e5f60
Revises: 0a1b2c3d4e5f
Create Date: 2026-12-07 01:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '1b2c3d4e5f60'
down_revision = '0a1b2c3d4e5f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('membership_year_start_month', sa.Integer(), server_default='4', nullable=False))
        batch_op.add_column(sa.Column('membership_year_start_day', sa.Integer(), server_default='1', nullable=False))
    op.execute("UPDATE programme SET "
               "membership_year_start_month = COALESCE((SELECT b.membership_year_start_month FROM billing_settings b "
               "WHERE b.programme_id = programme.id), 4), "
               "membership_year_start_day = COALESCE((SELECT b.membership_year_start_day FROM billing_settings b "
               "WHERE b.programme_id = programme.id), 1)")
    with op.batch_alter_table('billing_settings', schema=None) as batch_op:
        batch_op.drop_column('membership_year_start_day')
        batch_op.drop_column('membership_year_start_month')


def downgrade():
    with op.batch_alter_table('billing_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('membership_year_start_month', sa.Integer(), server_default='4', nullable=False))
        batch_op.add_column(sa.Column('membership_year_start_day', sa.Integer(), server_default='1', nullable=False))
    op.execute("UPDATE billing_settings SET "
               "membership_year_start_month = (SELECT p.membership_year_start_month FROM programme p "
               "WHERE p.id = billing_settings.programme_id), "
               "membership_year_start_day = (SELECT p.membership_year_start_day FROM programme p "
               "WHERE p.id = billing_settings.programme_id)")
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('membership_year_start_day')
        batch_op.drop_column('membership_year_start_month')
