"""programmes: draft or published (existing programmes are published)

Revision ID: 6b1d0c4e9a21
Revises: 2f19be6afd14
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b1d0c4e9a21'
down_revision = '2f19be6afd14'
branch_labels = None
depends_on = None


def upgrade():
    # Programmes that exist already are public: they were published the moment they were created.
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.Enum('draft', 'published', name='programmestatus',
                                                        native_enum=False, length=20),
                                      server_default='published', nullable=False))
    # New ones start as drafts: the application sets the status, the database keeps no default.
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)


def downgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('status')
