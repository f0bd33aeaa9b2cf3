"""EP National Practice Standards: tags on every event, and agencies' self-assessments

Revision ID: 2c3d4e5f6071
Revises: 1b2c3d4e5f60
Create Date: 2026-12-07 04:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '2c3d4e5f6071'
down_revision = '1b2c3d4e5f60'
branch_labels = None
depends_on = None

# The tables whose events carried their own practice standards before every event could.
TAGGED_KINDS = ('network_day', 'workshop')


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practice_standards', sa.JSON(), server_default=sa.text("'[]'"),
                                      nullable=False))
    for table in TAGGED_KINDS:
        op.execute(f"UPDATE event SET practice_standards = (SELECT t.practice_standards FROM {table} t "
                   f"WHERE t.id = event.id) WHERE event.id IN (SELECT id FROM {table})")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('practice_standards')

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standards_aggregate', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('self_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('local_authority_id', sa.Integer(), nullable=True),
    sa.Column('edition', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'completed', name='assessmentstatus', native_enum=False, length=30), nullable=False),
    sa.Column('completer_name', sa.String(length=200), nullable=False),
    sa.Column('completer_job_title', sa.String(length=200), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('copied_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['copied_from_id'], ['self_assessment.id'], name=op.f('fk_self_assessment_copied_from_id_self_assessment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['local_authority_id'], ['organisation.id'], name=op.f('fk_self_assessment_local_authority_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_self_assessment_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('fk_self_assessment_started_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment'))
    )
    with op.batch_alter_table('self_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessment_organisation_id'), ['organisation_id'], unique=False)
    op.create_table('self_assessment_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=10), nullable=False),
    sa.Column('rating', sa.Enum('red', 'amber', 'green', name='rating', native_enum=False, length=10), nullable=True),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('action_owner_role', sa.String(length=200), nullable=False),
    sa.Column('action_due_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['self_assessment.id'], name=op.f('fk_self_assessment_entry_assessment_id_self_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment_entry')),
    sa.UniqueConstraint('assessment_id', 'number', name=op.f('uq_self_assessment_entry_assessment_id_number'))
    )
    with op.batch_alter_table('self_assessment_entry', schema=None) as batch_op:
        batch_op.create_index('ix_self_assessment_entry_action_due_on', ['action_due_on'], unique=False)
    op.create_table('self_assessment_delegate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_self_assessment_delegate_granted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_self_assessment_delegate_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_self_assessment_delegate_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment_delegate')),
    sa.UniqueConstraint('organisation_id', 'user_id', name=op.f('uq_self_assessment_delegate_organisation_id_user_id'))
    )
    with op.batch_alter_table('self_assessment_delegate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessment_delegate_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('self_assessment_delegate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessment_delegate_user_id'))
    op.drop_table('self_assessment_delegate')
    with op.batch_alter_table('self_assessment_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_self_assessment_entry_action_due_on')
    op.drop_table('self_assessment_entry')
    with op.batch_alter_table('self_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessment_organisation_id'))
    op.drop_table('self_assessment')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('standards_aggregate')

    for table in TAGGED_KINDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('practice_standards', sa.JSON(), server_default=sa.text("'[]'"),
                                          nullable=False))
        op.execute(f"UPDATE {table} SET practice_standards = (SELECT e.practice_standards FROM event e "
                   f"WHERE e.id = {table}.id)")
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('practice_standards')
