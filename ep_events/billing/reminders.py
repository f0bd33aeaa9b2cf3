"""Payment reminders: an organiser emails an overdue invoice's billing contact, at most once a day."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ep_events.billing import emails
from ep_events.billing.balances import balance
from ep_events.billing.invoices import lock_order
from ep_events.billing.models import Invoice
from ep_events.billing.money import format_pounds
from ep_events.core.audit import AuditEntry, record_audit
from ep_events.core.errors import DomainError
from ep_events.core.time import as_utc, to_uk, uk_datetime, utcnow
from ep_events.extensions import db

REMINDER_ACTION = "billing.payment_reminder"
# One reminder a day at most: a second click (or a second organiser) must not flood an agency's inbox.
REMINDER_INTERVAL = timedelta(hours=24)


def last_reminder_at(invoice: Invoice) -> datetime | None:
    """When the last payment reminder for this invoice was sent, from the audit log (None: never)."""
    last = db.session.execute(select(func.max(AuditEntry.at)).where(
        AuditEntry.action == REMINDER_ACTION, AuditEntry.target_type == "Invoice",
        AuditEntry.target_id == invoice.id)).scalar_one_or_none()
    return as_utc(last) if last is not None else None


def send_payment_reminder(invoice: Invoice, actor, now: datetime | None = None) -> int:
    """Email the billing contact of an overdue invoice what is still owed; refused within a day of the last one.

    Returns the amount owed that the email named, in pence. Audited (the audit entry is the record of sending).
    """
    now = now or utcnow()
    # Serialise with payments and other reminders on the same order: two organisers clicking at once send one.
    lock_order(invoice.order)
    owed = balance(invoice)
    if owed <= 0:
        raise DomainError(f"Nothing is owed on invoice {invoice.reference}, so no reminder is needed")
    if invoice.due_on >= to_uk(now).date():
        raise DomainError(f"Invoice {invoice.reference} is not overdue yet, so no reminder can be sent")
    last = last_reminder_at(invoice)
    if last is not None and now - last < REMINDER_INTERVAL:
        raise DomainError(f"A reminder for invoice {invoice.reference} was sent on {uk_datetime(last)}. "
                          f"You can send another from {uk_datetime(last + REMINDER_INTERVAL)}.")
    emails.send_payment_reminder(invoice, owed)
    entry = record_audit(actor, REMINDER_ACTION, invoice,
                         f"Payment reminder for invoice {invoice.reference}: {format_pounds(owed)} owed",
                         after={"to": invoice.billing_contact_email, "outstanding_pence": owed})
    entry.at = now
    db.session.flush()
    return owed
