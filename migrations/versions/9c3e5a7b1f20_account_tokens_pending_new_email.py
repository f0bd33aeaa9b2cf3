"""account tokens: the pending new address of an email change

Revision ID: 9c3e5a7b1f20
Revises: 6b1d0c4e9a21
Create Date: 2026-12-02 07:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c3e5a7b1f20'
down_revision = '6b1d0c4e9a21'
branch_labels = None
depends_on = None


def upgrade():
    # The token purpose is a non-native enum without a CHECK constraint, so 'change_email' needs no DDL.
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_email', sa.String(length=320), nullable=True))


def downgrade():
    op.execute("DELETE FROM account_token WHERE purpose = 'change_email'")
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_column('new_email')
