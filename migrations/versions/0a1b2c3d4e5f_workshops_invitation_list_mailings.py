"""workshops, their registrations, waiting lists, resources and feedback; the invitation list and its
suppression list; mailings (one email to many, queued in batches) and outbox headers

Revision ID: 0a1b2c3d4e5f
Revises: f6a7b8c9d0e1
Create Date: 2026-12-07 01:28:46.055292

"""
from alembic import op
import sqlalchemy as sa


revision = '0a1b2c3d4e5f'
down_revision = 'f6a7b8c9d0e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitation_list_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'unsubscribed', 'expired', name='listentrystatus', native_enum=False, length=30), nullable=False),
    sa.Column('confirm_token_hash', sa.String(length=64), nullable=True),
    sa.Column('confirm_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent_source', sa.Enum('join_form', 'import', name='consentsource', native_enum=False, length=30), nullable=False),
    sa.Column('consent_wording_version', sa.String(length=40), nullable=False),
    sa.Column('lawful_basis', sa.Text(), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_invitation_list_entry_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_list_entry')),
    sa.UniqueConstraint('confirm_token_hash', name=op.f('uq_invitation_list_entry_confirm_token_hash')),
    sa.UniqueConstraint('programme_id', 'email', name='uq_invitation_list_entry_email')
    )
    with op.batch_alter_table('invitation_list_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_list_entry_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_list_entry_status'), ['status'], unique=False)

    op.create_table('suppressed_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_suppressed_address_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppressed_address')),
    sa.UniqueConstraint('programme_id', 'email', name='uq_suppressed_address_email')
    )
    op.create_table('mailing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('announcement', 'event_message', name='mailingkind', native_enum=False, length=20), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('sending', 'queued', name='mailingstatus', native_enum=False, length=20), nullable=False),
    sa.Column('recipients_total', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_mailing_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_mailing_event_id_event'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_mailing_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailing')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_mailing_idempotency_key'))
    )
    with op.batch_alter_table('mailing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailing_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailing_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailing_status'), ['status'], unique=False)

    op.create_table('workshop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=300), nullable=False),
    sa.Column('practice_standards', sa.JSON(), nullable=False),
    sa.Column('registration_closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancel_message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['event.id'], name=op.f('fk_workshop_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop'))
    )
    op.create_table('mailing_recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailing_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('list_entry_id', sa.Integer(), nullable=True),
    sa.Column('unsubscribe_url', sa.String(length=2000), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mailing_id'], ['mailing.id'], name=op.f('fk_mailing_recipient_mailing_id_mailing'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailing_recipient')),
    sa.UniqueConstraint('mailing_id', 'email', name='uq_mailing_recipient_email')
    )
    with op.batch_alter_table('mailing_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailing_recipient_queued_at'), ['queued_at'], unique=False)

    op.create_table('workshop_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('usefulness', sa.Integer(), nullable=False),
    sa.Column('relevance', sa.Integer(), nullable=False),
    sa.Column('do_differently', sa.Text(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('relevance BETWEEN 1 AND 5', name=op.f('ck_workshop_feedback_relevance_1_to_5')),
    sa.CheckConstraint('usefulness BETWEEN 1 AND 5', name=op.f('ck_workshop_feedback_usefulness_1_to_5')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_workshop_feedback_user_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_workshop_feedback_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_feedback')),
    sa.UniqueConstraint('workshop_id', 'user_id', name='uq_workshop_feedback_person')
    )
    with op.batch_alter_table('workshop_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_feedback_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_feedback_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('workshop_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['place.id'], name=op.f('fk_workshop_registration_id_place'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_registration'))
    )
    op.create_table('workshop_resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_workshop_resource_uploaded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_workshop_resource_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_resource'))
    )
    with op.batch_alter_table('workshop_resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_resource_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('workshop_waitlist_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['waitlist_entry.id'], name=op.f('fk_workshop_waitlist_entry_id_waitlist_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_waitlist_entry'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('mailing_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_mailing_id'), ['mailing_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_mailing_id_mailing'), 'mailing', ['mailing_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_mailing_id_mailing'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_message_mailing_id'))
        batch_op.drop_column('mailing_id')
        batch_op.drop_column('headers')

    op.drop_table('workshop_waitlist_entry')
    with op.batch_alter_table('workshop_resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_resource_workshop_id'))

    op.drop_table('workshop_resource')
    op.drop_table('workshop_registration')
    with op.batch_alter_table('workshop_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_feedback_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_feedback_user_id'))

    op.drop_table('workshop_feedback')
    with op.batch_alter_table('mailing_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailing_recipient_queued_at'))

    op.drop_table('mailing_recipient')
    op.drop_table('workshop')
    with op.batch_alter_table('mailing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailing_status'))
        batch_op.drop_index(batch_op.f('ix_mailing_programme_id'))
        batch_op.drop_index(batch_op.f('ix_mailing_event_id'))

    op.drop_table('mailing')
    op.drop_table('suppressed_address')
    with op.batch_alter_table('invitation_list_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_list_entry_status'))
        batch_op.drop_index(batch_op.f('ix_invitation_list_entry_programme_id'))

    op.drop_table('invitation_list_entry')
