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
    pass


def downgrade():
    pass
