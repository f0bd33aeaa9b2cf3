"""Placing and cancelling an agency's orders, at the prices and VAT in force on the day."""

from dataclasses import dataclass
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email

from ep_events.billing.invoices import credited_line_ids, issue_credit_note, lock_order
from ep_events.billing.models import BillingItem, CreditNote, Order, OrderLine, OrderStatus
from ep_events.billing.money import MAX_QUANTITY, clean_text, line_figures
from ep_events.billing.settings import price_on, vat_rate_on
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.time import to_uk, utcnow
from ep_events.extensions import db


@dataclass(frozen=True)
class WantedLine:
    """One line an agency asks for: what, how many, and how the invoice describes it."""

    item: BillingItem
    quantity: int
    description: str


def _check_quantity(quantity) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(f"Enter a number of places from 1 to {MAX_QUANTITY:,}", field="quantity")
    return quantity


def _check_email(address: str | None) -> str:
    address = clean_text(address, "billing_contact_email", "billing contact’s email address", 320)
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError("Enter an email address in the correct format, like name@example.org",
                          field="billing_contact_email") from None
    return address


def place_order(actor, programme, organisation, lines: list[WantedLine], *, billing_contact_name: str,
                billing_contact_email: str, billing_address: str, po_number: str = "", no_po: bool = False,
                now: datetime | None = None) -> Order:
    """Record an order at the prices and VAT rate in force on the day it is placed (UK date).

    Every input is checked before anything is written; a refused order saves nothing.
    """
    contact_name = clean_text(billing_contact_name, "billing_contact_name", "billing contact’s name", 200)
    contact_email = _check_email(billing_contact_email)
    address = clean_text(billing_address, "billing_address", "billing address", 2000, multiline=True)
    if no_po:
        # The form hides the PO field when "we do not use purchase orders" is ticked; a value it still sends is
        # not the agency's PO number.
        po_number = ""
    else:
        po_number = clean_text(po_number, "po_number", "purchase order number", 50)
    if not lines:
        raise DomainError("Choose what to order", field="lines")
    now = now or utcnow()
    day: date = to_uk(now).date()
    vat = vat_rate_on(programme, day)
    order_lines = []
    for position, wanted in enumerate(lines):
        quantity = _check_quantity(wanted.quantity)
        description = clean_text(wanted.description, "description", "description", 300)
        price = price_on(programme, wanted.item, day)
        if price is None:
            raise DomainError(f"There is no {wanted.item.label.lower()} price yet: the organiser must set one")
        order_lines.append(OrderLine(position=position, description=description, item=wanted.item,
                                     **line_figures(quantity, price.amount_pence, vat)))
    order = Order(programme_id=programme.id, organisation_id=organisation.id, billing_contact_name=contact_name,
                  billing_contact_email=contact_email, billing_address=address, po_number=po_number, no_po=no_po,
                  placed_at=now, placed_by_id=getattr(actor, "id", None), status=OrderStatus.PLACED,
                  lines=order_lines)
    db.session.add(order)
    db.session.flush()
    record_audit(actor, "billing.order", order, f"Order {order.id} from {organisation.name}")
    return order


def cancel_order(order: Order, actor, reason: str, lines: list[OrderLine] | None = None,
                 today: date | None = None, now: datetime | None = None) -> CreditNote | None:
    """Cancel an order in full, or some of its lines; an invoiced order gets a credit note for what is cancelled.

    The order is cancelled once none of its invoice is left uncredited (or, never invoiced, when all of it is).
    """
    lock_order(order)
    if order.status is OrderStatus.CANCELLED:
        raise DomainError("This order has already been cancelled")
    reason = clean_text(reason, "reason", "reason", 2000, multiline=True)
    now = now or utcnow()
    credit_note = None
    if order.invoice is not None:
        invoice_lines = None
        if lines is not None:
            by_order_line = {line.order_line_id: line for line in order.invoice.lines}
            if any(line.id not in by_order_line for line in lines):
                raise DomainError("Choose lines of this order", field="lines")
            invoice_lines = [by_order_line[line.id] for line in lines]
        credit_note = issue_credit_note(order.invoice, actor, reason, invoice_lines, today=today)
        fully_cancelled = credited_line_ids(order.invoice) == {line.id for line in order.invoice.lines}
    else:
        if lines is not None and {line.id for line in lines} != {line.id for line in order.lines}:
            raise DomainError("An order that has not been invoiced is cancelled in full", field="lines")
        fully_cancelled = True
    if fully_cancelled:
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = now
        order.cancelled_by_id = getattr(actor, "id", None)
        order.cancel_reason = reason
        db.session.flush()
    record_audit(actor, "billing.order_cancelled" if fully_cancelled else "billing.order_lines_cancelled", order,
                 f"Order {order.id}: {reason}")
    return credit_note

