"""Issuing invoices and credit notes, numbered in the transaction that issues them."""

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ep_events.billing.models import (
    CreditNote,
    CreditNoteLine,
    DocumentCounter,
    DocumentKind,
    Invoice,
    InvoiceLine,
    Order,
    OrderStatus,
)
from ep_events.billing.money import clean_text
from ep_events.billing.settings import get_billing_settings
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.time import to_uk, utcnow
from ep_events.extensions import db

NUMBER_DIGITS = 6


def uk_today() -> date:
    return to_uk(utcnow()).date()


def format_reference(prefix: str, number: int) -> str:
    """The number as printed: the prefix and the number padded with zeros, 'INV-000042'."""
    return f"{prefix}{number:0{NUMBER_DIGITS}d}"


def lock_order(order: Order) -> None:
    """Serialise everything done to one order (issuing, crediting, paying): a PostgreSQL row lock, SQLite's
    write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Order.id).where(Order.id == order.id).with_for_update())
    else:
        # A no-op write takes SQLite's write lock now, before we read anything we decide on.
        db.session.execute(update(Order).where(Order.id == order.id).values(status=Order.status))
    db.session.refresh(order)


def next_document_number(programme_id: int, kind: DocumentKind) -> int:
    """The next number of a programme's invoices or credit notes, taken in the current transaction.

    The UPDATE locks the counter row (PostgreSQL) or takes the write lock (SQLite) until this transaction
    ends, so concurrent issuers queue and each reads the number the one before committed; a rollback undoes
    the increment, leaving no gap.
    """
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(DocumentCounter).values(programme_id=programme_id, kind=kind, last_number=0)
                       .on_conflict_do_nothing(index_elements=["programme_id", "kind"]))
    return db.session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.programme_id == programme_id, DocumentCounter.kind == kind)
        .values(last_number=DocumentCounter.last_number + 1)
        .returning(DocumentCounter.last_number)
        .execution_options(synchronize_session=False)).scalar_one()


def issue_invoice(order: Order, actor, today: date | None = None) -> Invoice:
    """Issue the order's one invoice: the next number, due after the payment terms, lines copied from the order."""
    lock_order(order)
    if order.status is not OrderStatus.PLACED:
        raise DomainError("This order has been cancelled, so it cannot be invoiced")
    if db.session.execute(select(Invoice.id).where(Invoice.order_id == order.id)).first():
        raise DomainError("This order has already been invoiced")
    settings = get_billing_settings(order.programme)
    if not settings.legal_name or not settings.address:
        raise DomainError("The organiser's invoice details (legal name and address) must be set before invoicing")
    today = today or uk_today()
    number = next_document_number(order.programme_id, DocumentKind.INVOICE)
    invoice = Invoice(
        programme_id=order.programme_id, organisation_id=order.organisation_id, order=order, number=number,
        reference=format_reference(settings.invoice_prefix, number), issued_on=today,
        due_on=today + timedelta(days=settings.payment_terms_days), issued_by_id=getattr(actor, "id", None),
        seller_name=settings.legal_name, seller_address=settings.address,
        seller_charity_number=settings.charity_number, seller_company_number=settings.company_number,
        seller_vat_number=settings.vat_number, how_to_pay=settings.how_to_pay,
        customer_name=order.organisation.name, billing_contact_name=order.billing_contact_name,
        billing_contact_email=order.billing_contact_email, billing_address=order.billing_address,
        po_number=order.po_number,
        lines=[InvoiceLine(order_line=line, position=line.position, description=line.description, item=line.item,
                           quantity=line.quantity, unit_price_pence=line.unit_price_pence,
                           vat_basis_points=line.vat_basis_points, net_pence=line.net_pence,
                           vat_pence=line.vat_pence, line_total_pence=line.line_total_pence)
               for line in order.lines],
    )
    db.session.add(invoice)
    db.session.flush()
    record_audit(actor, "billing.invoice", invoice, f"Invoice {invoice.reference} to {invoice.customer_name}")
    return invoice


def credited_line_ids(invoice: Invoice) -> set[int]:
    """The invoice's lines that a credit note has already reversed."""
    return set(db.session.execute(
        select(CreditNoteLine.invoice_line_id).join(InvoiceLine, InvoiceLine.id == CreditNoteLine.invoice_line_id)
        .where(InvoiceLine.invoice_id == invoice.id)).scalars())


def issue_credit_note(invoice: Invoice, actor, reason: str, lines: list[InvoiceLine] | None = None,
                      today: date | None = None) -> CreditNote:
    """Reverse an invoice in full (every line not yet credited) or the chosen lines, with the reason."""
    lock_order(invoice.order)
    reason = clean_text(reason, "reason", "reason", 2000, multiline=True)
    today = today or uk_today()
    if today < invoice.issued_on:
        raise DomainError("A credit note cannot be dated before the invoice it reverses", field="issued_on")
    already = credited_line_ids(invoice)
    if lines is None:
        lines = [line for line in invoice.lines if line.id not in already]
        if not lines:
            raise DomainError(f"Every line of invoice {invoice.reference} has already been credited")
    if not lines:
        raise DomainError("Choose at least one line to credit", field="lines")
    for line in lines:
        if line.invoice_id != invoice.id:
            raise DomainError("Choose lines of this invoice", field="lines")
        if line.id in already:
            raise DomainError(f"“{line.description}” has already been credited", field="lines")
    if len({line.id for line in lines}) != len(lines):
        raise DomainError("Choose each line once", field="lines")
    settings = get_billing_settings(invoice.order.programme)
    number = next_document_number(invoice.programme_id, DocumentKind.CREDIT_NOTE)
    credit_note = CreditNote(
        programme_id=invoice.programme_id, invoice=invoice, number=number,
        reference=format_reference(settings.credit_note_prefix, number), issued_on=today,
        issued_by_id=getattr(actor, "id", None), reason=reason,
        lines=[CreditNoteLine(invoice_line=line, position=position, description=line.description, item=line.item,
                              quantity=line.quantity, unit_price_pence=line.unit_price_pence,
                              vat_basis_points=line.vat_basis_points, net_pence=line.net_pence,
                              vat_pence=line.vat_pence, line_total_pence=line.line_total_pence)
               for position, line in enumerate(sorted(lines, key=lambda line: line.position))],
    )
    db.session.add(credit_note)
    db.session.flush()
    record_audit(actor, "billing.credit_note", credit_note,
                 f"Credit note {credit_note.reference} for invoice {invoice.reference}")
    return credit_note


def invoices_issued_between(programme, first: date, last: date) -> list[Invoice]:
    """A programme's invoices issued from `first` to `last` inclusive, in number order (for the finance export)."""
    if last < first:
        raise DomainError("The end date must be the same as or after the start date", field="last")
    return list(db.session.execute(
        select(Invoice).where(Invoice.programme_id == programme.id, Invoice.issued_on >= first,
                              Invoice.issued_on <= last).order_by(Invoice.number)).scalars())

