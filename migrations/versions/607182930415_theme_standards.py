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
    op.create_table('surgery_theme_standard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('practice_standards', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_surgery_theme_standard_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surgery_theme_standard')),
    sa.UniqueConstraint('programme_id', 'theme', name=op.f('uq_surgery_theme_standard_programme_id_theme'))
    )


def downgrade():
    op.drop_table('surgery_theme_standard')
