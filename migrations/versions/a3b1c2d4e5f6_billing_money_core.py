"""billing money core: invoice details, prices, VAT rates, orders, invoices, credit notes, payments

Invoices, credit notes, their lines and payments are append-only (the ORM refuses changes); their numbers
come from billing_document_counter, one row per programme and kind of document.

Revision ID: a3b1c2d4e5f6
Revises: 7d3f1a2b8c45
Create Date: 2026-12-02 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3b1c2d4e5f6'
down_revision = '7d3f1a2b8c45'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('billing_document_counter',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('invoice', 'credit_note', name='documentkind', native_enum=False, length=30), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_billing_document_counter_programme_id_programme'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('programme_id', 'kind', name=op.f('pk_billing_document_counter'))
    )
    op.create_table('billing_price',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.Enum('membership', 'extra_place', name='billingitem', native_enum=False, length=30), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('applies_from', sa.Date(), nullable=False),
    sa.CheckConstraint('amount_pence >= 0', name=op.f('ck_billing_price_amount_not_negative')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_billing_price_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_price')),
    sa.UniqueConstraint('programme_id', 'item', 'applies_from', name='uq_billing_price_programme_item_from')
    )
    op.create_table('billing_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('legal_name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('charity_number', sa.String(length=50), nullable=False),
    sa.Column('company_number', sa.String(length=50), nullable=False),
    sa.Column('vat_number', sa.String(length=50), nullable=False),
    sa.Column('payment_terms_days', sa.Integer(), nullable=False),
    sa.Column('how_to_pay', sa.Text(), nullable=False),
    sa.Column('invoice_prefix', sa.String(length=20), nullable=False),
    sa.Column('credit_note_prefix', sa.String(length=20), nullable=False),
    sa.Column('membership_year_start_month', sa.Integer(), nullable=False),
    sa.Column('membership_year_start_day', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_billing_settings_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_settings')),
    sa.UniqueConstraint('programme_id', name=op.f('uq_billing_settings_programme_id'))
    )
    op.create_table('billing_vat_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('applies_from', sa.Date(), nullable=False),
    sa.Column('rate_basis_points', sa.Integer(), nullable=False),
    sa.CheckConstraint('rate_basis_points >= 0 AND rate_basis_points <= 10000', name=op.f('ck_billing_vat_rate_rate_range')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_billing_vat_rate_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_vat_rate')),
    sa.UniqueConstraint('programme_id', 'applies_from', name='uq_billing_vat_rate_programme_from')
    )
    op.create_table('billing_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('billing_contact_name', sa.String(length=200), nullable=False),
    sa.Column('billing_contact_email', sa.String(length=320), nullable=False),
    sa.Column('billing_address', sa.Text(), nullable=False),
    sa.Column('po_number', sa.String(length=50), nullable=False),
    sa.Column('no_po', sa.Boolean(), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('placed', 'cancelled', name='orderstatus', native_enum=False, length=30), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['user.id'], name=op.f('fk_billing_order_cancelled_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_billing_order_organisation_id_organisation'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['placed_by_id'], ['user.id'], name=op.f('fk_billing_order_placed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_billing_order_programme_id_programme'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_order'))
    )
    with op.batch_alter_table('billing_order', schema=None) as batch_op:
        batch_op.create_index('ix_billing_order_programme_organisation', ['programme_id', 'organisation_id'], unique=False)

    op.create_table('billing_order_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('item', sa.Enum('membership', 'extra_place', name='billingitem', native_enum=False, length=30), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_pence', sa.BigInteger(), nullable=False),
    sa.Column('vat_basis_points', sa.Integer(), nullable=False),
    sa.Column('net_pence', sa.BigInteger(), nullable=False),
    sa.Column('vat_pence', sa.BigInteger(), nullable=False),
    sa.Column('line_total_pence', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_billing_order_line_quantity_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['billing_order.id'], name=op.f('fk_billing_order_line_order_id_billing_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_order_line'))
    )
    with op.batch_alter_table('billing_order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_order_line_order_id'), ['order_id'], unique=False)

    op.create_table('invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('seller_name', sa.String(length=200), nullable=False),
    sa.Column('seller_address', sa.Text(), nullable=False),
    sa.Column('seller_charity_number', sa.String(length=50), nullable=False),
    sa.Column('seller_company_number', sa.String(length=50), nullable=False),
    sa.Column('seller_vat_number', sa.String(length=50), nullable=False),
    sa.Column('how_to_pay', sa.Text(), nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('billing_contact_name', sa.String(length=200), nullable=False),
    sa.Column('billing_contact_email', sa.String(length=320), nullable=False),
    sa.Column('billing_address', sa.Text(), nullable=False),
    sa.Column('po_number', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_invoice_issued_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['billing_order.id'], name=op.f('fk_invoice_order_id_billing_order'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_invoice_organisation_id_organisation'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_invoice_programme_id_programme'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice')),
    sa.UniqueConstraint('order_id', name=op.f('uq_invoice_order_id')),
    sa.UniqueConstraint('programme_id', 'number', name='uq_invoice_programme_number')
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_programme_due', ['programme_id', 'due_on'], unique=False)
        batch_op.create_index('ix_invoice_programme_organisation', ['programme_id', 'organisation_id'], unique=False)

    op.create_table('credit_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_credit_note_invoice_id_invoice'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_credit_note_issued_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_credit_note_programme_id_programme'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_note')),
    sa.UniqueConstraint('programme_id', 'number', name='uq_credit_note_programme_number')
    )
    with op.batch_alter_table('credit_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_note_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('invoice_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('item', sa.Enum('membership', 'extra_place', name='billingitem', native_enum=False, length=30), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_pence', sa.BigInteger(), nullable=False),
    sa.Column('vat_basis_points', sa.Integer(), nullable=False),
    sa.Column('net_pence', sa.BigInteger(), nullable=False),
    sa.Column('vat_pence', sa.BigInteger(), nullable=False),
    sa.Column('line_total_pence', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_invoice_line_invoice_id_invoice'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['order_line_id'], ['billing_order_line.id'], name=op.f('fk_invoice_line_order_line_id_billing_order_line'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_line')),
    sa.UniqueConstraint('order_line_id', name=op.f('uq_invoice_line_order_line_id'))
    )
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_line_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('method', sa.Enum('bank_transfer', 'card', 'cheque', 'other', name='paymentmethod', native_enum=False, length=30), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('overpayment', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_payment_amount_positive')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_payment_invoice_id_invoice'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_payment_recorded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('credit_note_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credit_note_id', sa.Integer(), nullable=False),
    sa.Column('invoice_line_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('item', sa.Enum('membership', 'extra_place', name='billingitem', native_enum=False, length=30), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_pence', sa.BigInteger(), nullable=False),
    sa.Column('vat_basis_points', sa.Integer(), nullable=False),
    sa.Column('net_pence', sa.BigInteger(), nullable=False),
    sa.Column('vat_pence', sa.BigInteger(), nullable=False),
    sa.Column('line_total_pence', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['credit_note_id'], ['credit_note.id'], name=op.f('fk_credit_note_line_credit_note_id_credit_note'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['invoice_line_id'], ['invoice_line.id'], name=op.f('fk_credit_note_line_invoice_line_id_invoice_line'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_note_line')),
    sa.UniqueConstraint('invoice_line_id', name=op.f('uq_credit_note_line_invoice_line_id'))
    )
    with op.batch_alter_table('credit_note_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_note_line_credit_note_id'), ['credit_note_id'], unique=False)



def downgrade():
    with op.batch_alter_table('credit_note_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_note_line_credit_note_id'))

    op.drop_table('credit_note_line')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_invoice_id'))

    op.drop_table('payment')
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_line_invoice_id'))

    op.drop_table('invoice_line')
    with op.batch_alter_table('credit_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_note_invoice_id'))

    op.drop_table('credit_note')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_programme_organisation')
        batch_op.drop_index('ix_invoice_programme_due')

    op.drop_table('invoice')
    with op.batch_alter_table('billing_order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_order_line_order_id'))

    op.drop_table('billing_order_line')
    with op.batch_alter_table('billing_order', schema=None) as batch_op:
        batch_op.drop_index('ix_billing_order_programme_organisation')

    op.drop_table('billing_order')
    op.drop_table('billing_vat_rate')
    op.drop_table('billing_settings')
    op.drop_table('billing_price')
    op.drop_table('billing_document_counter')
