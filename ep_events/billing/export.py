"""The finance export: a programme's invoices, credit notes and payments over some dates, as one CSV file."""

import heapq
from datetime import date

from sqlalchemy import func, select

from ep_events.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from ep_events.core.errors import DomainError
from ep_events.core.inputs import EARLIEST_YEAR, LATEST_YEAR
from ep_events.core.spreadsheets import csv_bytes
from ep_events.extensions import db

HEADER = ("Document type", "Reference", "Date", "Customer", "PO number", "Net", "VAT", "Total", "Invoice",
          "Payment method", "Payment reference")
# Within a day: invoices, then credit notes, then payments, each in number order.
INVOICE, CREDIT_NOTE, PAYMENT = 0, 1, 2


def _pounds(pence: int | None) -> str:
    """'1500.00': pounds with two decimals and no symbol, for a spreadsheet to sum (never negative here)."""
    if pence is None:
        return ""
    pounds, rest = divmod(int(pence), 100)
    return f"{pounds}.{rest:02d}"


def _check_dates(first, last) -> None:
    for name, day in (("first", first), ("last", last)):
        if not isinstance(day, date) or not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise DomainError(f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}", field=name)
    if last < first:
        raise DomainError("The end date must be the same as or after the start date", field="last")


def _invoices(programme, first: date, last: date):
    totals = (select(Invoice.issued_on, Invoice.number, Invoice.reference, Invoice.customer_name, Invoice.po_number,
                     func.coalesce(func.sum(InvoiceLine.net_pence), 0),
                     func.coalesce(func.sum(InvoiceLine.vat_pence), 0),
                     func.coalesce(func.sum(InvoiceLine.line_total_pence), 0))
              .outerjoin(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
              .where(Invoice.programme_id == programme.id, Invoice.issued_on >= first, Invoice.issued_on <= last)
              .group_by(Invoice.id).order_by(Invoice.issued_on, Invoice.number))
    for day, number, reference, customer, po, net, vat, total in db.session.execute(totals):
        yield (day, INVOICE, number), ("Invoice", reference, day.isoformat(), customer, po, _pounds(net),
                                       _pounds(vat), _pounds(total), "", "", "")


def _credit_notes(programme, first: date, last: date):
    totals = (select(CreditNote.issued_on, CreditNote.number, CreditNote.reference, Invoice.customer_name,
                     Invoice.po_number, Invoice.reference, func.coalesce(func.sum(CreditNoteLine.net_pence), 0),
                     func.coalesce(func.sum(CreditNoteLine.vat_pence), 0),
                     func.coalesce(func.sum(CreditNoteLine.line_total_pence), 0))
              .join(Invoice, Invoice.id == CreditNote.invoice_id)
              .outerjoin(CreditNoteLine, CreditNoteLine.credit_note_id == CreditNote.id)
              .where(CreditNote.programme_id == programme.id, CreditNote.issued_on >= first,
                     CreditNote.issued_on <= last)
              .group_by(CreditNote.id, Invoice.id).order_by(CreditNote.issued_on, CreditNote.number))
    for day, number, reference, customer, po, invoice, net, vat, total in db.session.execute(totals):
        yield (day, CREDIT_NOTE, number), ("Credit note", reference, day.isoformat(), customer, po, _pounds(net),
                                           _pounds(vat), _pounds(total), invoice, "", "")


def _payments(programme, first: date, last: date):
    rows = (select(Payment.received_on, Payment.id, Invoice.customer_name, Invoice.po_number, Payment.amount_pence,
                   Invoice.reference, Payment.method, Payment.reference)
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .where(Invoice.programme_id == programme.id, Payment.received_on >= first, Payment.received_on <= last)
            .order_by(Payment.received_on, Payment.id))
    for day, number, customer, po, amount, invoice, method, reference in db.session.execute(rows):
        yield (day, PAYMENT, number), ("Payment", "", day.isoformat(), customer, po, "", "", _pounds(amount),
                                       invoice, method.label, reference)


def finance_export_csv(programme, first: date, last: date) -> bytes:
    """Every invoice, credit note and payment dated from `first` to `last` inclusive, by date then number.

    One row per document, its type in the first column; amounts in pounds with two decimals, credit notes
    as positive amounts (the type says they reduce what is owed). Summed in SQL, merged as it is written.
    """
    _check_dates(first, last)
    merged = heapq.merge(_invoices(programme, first, last), _credit_notes(programme, first, last),
                         _payments(programme, first, last), key=lambda keyed: keyed[0])
    return csv_bytes(HEADER, (row for _key, row in merged))
