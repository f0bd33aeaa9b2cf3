"""practice standards on surgery themes

Revision ID: 607182930415
Revises: 5f6071829304
Create Date: 2026-12-07 07:21:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '607182930415'
down_revision = '5f6071829304'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
