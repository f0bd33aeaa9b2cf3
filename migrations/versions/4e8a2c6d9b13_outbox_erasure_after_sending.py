"""outbox: what is erased after sending, and when the bodies were erased

Revision ID: 4e8a2c6d9b13
Revises: 9c3e5a7b1f20
Create Date: 2026-12-02 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e8a2c6d9b13'
down_revision = '9c3e5a7b1f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('after_sending', sa.Enum('keep', 'blank_bodies', 'erase', name='aftersending',
                                                               native_enum=False, length=20),
                                      server_default='keep', nullable=False))
        batch_op.add_column(sa.Column('bodies_erased_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('bodies_erased_at')
        batch_op.drop_column('after_sending')
