"""network days foundation: days and named places on the shared core, memberships, EP Champions

Revision ID: b4c2d3e5f6a7
Revises: a3b1c2d4e5f6
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'b4c2d3e5f6a7'
down_revision = 'a3b1c2d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'network_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topics', sa.Text(), nullable=False),
        sa.Column('practice_standards', sa.JSON(), nullable=False),
        sa.Column('rename_deadline', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['id'], ['event.id'], name=op.f('fk_network_day_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_day')),
    )
    op.create_table(
        'network_place',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('place_type', sa.Enum('membership', 'extra', name='placetype', native_enum=False, length=20),
                  nullable=False),
        sa.Column('is_champion', sa.Boolean(), nullable=False),
        sa.Column('membership_day_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['organisation.id'], name=op.f('fk_network_place_agency_id_organisation')),
        sa.ForeignKeyConstraint(['id'], ['place.id'], name=op.f('fk_network_place_id_place'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_place')),
        sa.UniqueConstraint('agency_id', 'membership_day_id', name='uq_network_place_membership_day'),
    )
    with op.batch_alter_table('network_place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_place_agency_id'), ['agency_id'], unique=False)
    op.create_table(
        'network_membership',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('membership_year', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['organisation.id'],
                                name=op.f('fk_network_membership_agency_id_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_network_membership_programme_id_programme'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_membership')),
        sa.UniqueConstraint('programme_id', 'agency_id', 'membership_year', name='uq_network_membership_year'),
    )
    with op.batch_alter_table('network_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_membership_agency_id'), ['agency_id'], unique=False)
    op.create_table(
        'ep_champion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_ep_champion_organisation_id_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name=op.f('fk_ep_champion_programme_id_programme'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_ep_champion_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ep_champion')),
        sa.UniqueConstraint('programme_id', 'organisation_id', name='uq_ep_champion_agency'),
    )
    with op.batch_alter_table('ep_champion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ep_champion_user_id'), ['user_id'], unique=False)


def downgrade():
    # Places and days live on in the shared tables too: remove those rows with their own.
    op.execute("DELETE FROM place WHERE kind = 'network_place'")
    op.execute("DELETE FROM event WHERE kind = 'network_day'")
    with op.batch_alter_table('ep_champion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ep_champion_user_id'))
    op.drop_table('ep_champion')
    with op.batch_alter_table('network_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_membership_agency_id'))
    op.drop_table('network_membership')
    with op.batch_alter_table('network_place', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_place_agency_id'))
    op.drop_table('network_place')
    op.drop_table('network_day')
