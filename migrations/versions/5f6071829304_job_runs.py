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
    pass


def downgrade():
    pass
