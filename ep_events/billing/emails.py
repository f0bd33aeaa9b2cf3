"""Billing emails: one function per kind, each queued in the outbox."""

from datetime import date

from ep_events.billing.money import format_pounds
from ep_events.notifications.outbox import queue_email


def long_date(day: date | None) -> str:
    """'Friday 1 May 2026' for a calendar date (invoices are dated by day, not by moment)."""
    if day is None:
        return ""
    return f"{day:%A} {day.day} {day:%B %Y}"


def send_payment_reminder(invoice, outstanding_pence: int):
    """Remind the invoice's billing contact what is still owed, when it was due and how to pay."""
    programme = invoice.order.programme
    return queue_email(invoice.billing_contact_email, "billing/payment_reminder",
                       invoice=invoice, programme=programme, recipient_name=invoice.billing_contact_name,
                       outstanding=format_pounds(outstanding_pence), due=long_date(invoice.due_on),
                       issued=long_date(invoice.issued_on), how_to_pay=invoice.how_to_pay,
                       contact_email=programme.contact_email)


def send_invoice(invoice, pdf: bytes):
    """Email a newly issued invoice to its billing contact, with its PDF attached."""
    programme = invoice.order.programme
    return queue_email(invoice.billing_contact_email, "billing/invoice",
                       attachment=(f"{invoice.reference}.pdf", "application/pdf", pdf),
                       invoice=invoice, programme=programme, recipient_name=invoice.billing_contact_name,
                       total=format_pounds(invoice.total_pence), due=long_date(invoice.due_on),
                       issued=long_date(invoice.issued_on), how_to_pay=invoice.how_to_pay,
                       contact_email=programme.contact_email)
