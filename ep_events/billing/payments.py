"""Recording money received against an invoice."""

from datetime import date

from ep_events.billing.balances import balance
from ep_events.billing.invoices import lock_order
from ep_events.billing.models import Invoice, Payment, PaymentMethod
from ep_events.billing.money import clean_text, format_pounds, parse_pounds
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.inputs import LATEST_YEAR
from ep_events.extensions import db


class OverpaymentNotConfirmed(DomainError):
    """The amount is more than is owed and the organiser has not confirmed it is an overpayment."""


def record_payment(invoice: Invoice, actor, amount: str | int, received_on: date, method: PaymentMethod,
                   reference: str = "", overpayment_confirmed: bool = False) -> Payment:
    """Record a payment (part payments allowed); more than is owed only when the organiser confirms it."""
    pence = parse_pounds(amount, field="amount")
    if pence <= 0:
        raise DomainError("Enter an amount more than £0.00", field="amount")
    if not isinstance(method, PaymentMethod):
        raise DomainError("Choose how it was paid", field="method")
    reference = clean_text(reference, "reference", "payment reference", 100, required=False)
    if not isinstance(received_on, date) or received_on.year > LATEST_YEAR:
        raise DomainError("Enter the date the payment was received", field="received_on")
    if received_on < invoice.issued_on:
        raise DomainError("The payment date cannot be before the invoice date", field="received_on")
    # Two organisers recording payments at once would each see the other's payment as not yet made.
    lock_order(invoice.order)
    owed = balance(invoice)
    if pence > owed and not overpayment_confirmed:
        raise OverpaymentNotConfirmed(f"This is more than the {format_pounds(max(owed, 0))} owed. Confirm it is "
                                      "an overpayment to record it", field="amount")
    payment = Payment(invoice=invoice, amount_pence=pence, received_on=received_on, method=method,
                      reference=reference, overpayment=pence > owed, recorded_by_id=getattr(actor, "id", None))
    db.session.add(payment)
    db.session.flush()
    record_audit(actor, "billing.payment", payment, f"{format_pounds(pence)} paid on invoice {invoice.reference}")
    return payment
