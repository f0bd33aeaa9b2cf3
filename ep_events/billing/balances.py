"""What is owed: invoices less credit notes less payments, summed in SQL."""

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ep_events.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from ep_events.extensions import db


def invoiced_total(invoice_id):
    """An invoice's total in pence (its lines summed), as a scalar subquery on `invoice_id` (a column or a value)."""
    return (select(func.coalesce(func.sum(InvoiceLine.line_total_pence), 0))
            .where(InvoiceLine.invoice_id == invoice_id).scalar_subquery())


def credited_total(invoice_id):
    """What credit notes reversed of an invoice, in pence, as a scalar subquery."""
    return (select(func.coalesce(func.sum(CreditNoteLine.line_total_pence), 0))
            .join(CreditNote, CreditNote.id == CreditNoteLine.credit_note_id)
            .where(CreditNote.invoice_id == invoice_id).scalar_subquery())


def paid_total(invoice_id):
    """What was paid against an invoice, in pence, as a scalar subquery."""
    return (select(func.coalesce(func.sum(Payment.amount_pence), 0))
            .where(Payment.invoice_id == invoice_id).scalar_subquery())


def outstanding_total(invoice_id):
    """What is still owed on an invoice (negative: overpaid), as a scalar subquery."""
    return invoiced_total(invoice_id) - credited_total(invoice_id) - paid_total(invoice_id)


def invoice_totals(invoice: Invoice) -> tuple[int, int, int]:
    """An invoice's net, VAT and total: the sums of its lines."""
    net, vat, total = db.session.execute(
        select(func.coalesce(func.sum(InvoiceLine.net_pence), 0), func.coalesce(func.sum(InvoiceLine.vat_pence), 0),
               func.coalesce(func.sum(InvoiceLine.line_total_pence), 0))
        .where(InvoiceLine.invoice_id == invoice.id)).one()
    return int(net), int(vat), int(total)


def balance(invoice: Invoice) -> int:
    """What is still owed on an invoice: its total, less its credit notes, less its payments (negative: overpaid)."""
    return int(db.session.execute(select(outstanding_total(invoice.id))).scalar_one())


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
    outstanding = outstanding_total(Invoice.id).label("outstanding")
    rows = db.session.execute(
        select(Invoice, outstanding)
        .where(Invoice.programme_id == programme.id, Invoice.due_on < today, outstanding_total(Invoice.id) > 0)
        .order_by(Invoice.due_on, Invoice.number)).all()
    return [(invoice, int(owed)) for invoice, owed in rows]


class InvoiceFilter(enum.Enum):
    """Which of a programme's invoices the organiser's list shows."""

    ALL = "all"
    UNPAID = "unpaid"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"all": "All", "unpaid": "Unpaid", "overdue": "Overdue"}[self.value]


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    invoice: Invoice
    total_pence: int
    outstanding_pence: int


def list_invoices(programme, show: InvoiceFilter, today: date, offset: int = 0, limit: int = 50) -> list[InvoiceRow]:
    """A page of a programme's invoices, newest first, with each one's total and what is still owed (SQL sums).

    Unpaid: something is still owed. Overdue: something is owed and the due date has passed.
    """
    outstanding = outstanding_total(Invoice.id)
    query = select(Invoice, invoiced_total(Invoice.id), outstanding).where(Invoice.programme_id == programme.id)
    if show in (InvoiceFilter.UNPAID, InvoiceFilter.OVERDUE):
        query = query.where(outstanding > 0)
    if show is InvoiceFilter.OVERDUE:
        query = query.where(Invoice.due_on < today)
    rows = db.session.execute(query.order_by(Invoice.issued_on.desc(), Invoice.number.desc())
                              .offset(offset).limit(limit)).all()
    return [InvoiceRow(invoice, int(total), int(owed)) for invoice, total, owed in rows]
