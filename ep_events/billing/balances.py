"""What is owed: invoices less credit notes less payments, summed in SQL."""

from datetime import date

from sqlalchemy import func, select

from ep_events.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from ep_events.extensions import db


def _invoiced(invoice_id):
    return (select(func.coalesce(func.sum(InvoiceLine.line_total_pence), 0))
            .where(InvoiceLine.invoice_id == invoice_id).scalar_subquery())


def _credited(invoice_id):
    return (select(func.coalesce(func.sum(CreditNoteLine.line_total_pence), 0))
            .join(CreditNote, CreditNote.id == CreditNoteLine.credit_note_id)
            .where(CreditNote.invoice_id == invoice_id).scalar_subquery())


def _paid(invoice_id):
    return (select(func.coalesce(func.sum(Payment.amount_pence), 0))
            .where(Payment.invoice_id == invoice_id).scalar_subquery())


def _outstanding(invoice_id):
    return _invoiced(invoice_id) - _credited(invoice_id) - _paid(invoice_id)


def invoice_totals(invoice: Invoice) -> tuple[int, int, int]:
    """An invoice's net, VAT and total: the sums of its lines."""
    net, vat, total = db.session.execute(
        select(func.coalesce(func.sum(InvoiceLine.net_pence), 0), func.coalesce(func.sum(InvoiceLine.vat_pence), 0),
               func.coalesce(func.sum(InvoiceLine.line_total_pence), 0))
        .where(InvoiceLine.invoice_id == invoice.id)).one()
    return int(net), int(vat), int(total)


def balance(invoice: Invoice) -> int:
    """What is still owed on an invoice: its total, less its credit notes, less its payments (negative: overpaid)."""
    return int(db.session.execute(select(_outstanding(invoice.id))).scalar_one())


def organisation_balance(programme, organisation) -> int:
    """What an agency owes a programme: all its invoices, less their credit notes, less their payments."""
    invoices = select(Invoice.id).where(Invoice.programme_id == programme.id,
                                        Invoice.organisation_id == organisation.id)
    invoiced = (select(func.coalesce(func.sum(InvoiceLine.line_total_pence), 0))
                .where(InvoiceLine.invoice_id.in_(invoices)).scalar_subquery())
    credited = (select(func.coalesce(func.sum(CreditNoteLine.line_total_pence), 0))
                .join(CreditNote, CreditNote.id == CreditNoteLine.credit_note_id)
                .where(CreditNote.invoice_id.in_(invoices)).scalar_subquery())
    paid = (select(func.coalesce(func.sum(Payment.amount_pence), 0))
            .where(Payment.invoice_id.in_(invoices)).scalar_subquery())
    return int(db.session.execute(select(invoiced - credited - paid)).scalar_one())


def overdue_invoices(programme, today: date) -> list[tuple[Invoice, int]]:
    """A programme's invoices past their due date with money still owed, oldest due first, with what is owed."""
    outstanding = _outstanding(Invoice.id).label("outstanding")
    rows = db.session.execute(
        select(Invoice, outstanding)
        .where(Invoice.programme_id == programme.id, Invoice.due_on < today, _outstanding(Invoice.id) > 0)
        .order_by(Invoice.due_on, Invoice.number)).all()
    return [(invoice, int(owed)) for invoice, owed in rows]
