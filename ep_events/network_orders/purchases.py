"""Buying a Network membership or extra places, and cancelling such an order: each one transaction that places
the order, issues its invoice (numbered in that transaction), records what it bought, and queues the invoice
email with its PDF. Nothing is written when any step refuses."""

from dataclasses import dataclass
from datetime import date, datetime

from ep_events.accounts.policy import can_administer_organisation, can_manage_programme
from ep_events.billing import emails as billing_emails
from ep_events.billing.invoices import issue_invoice
from ep_events.billing.models import BillingItem, Order, OrderLine, OrderStatus
from ep_events.billing.money import format_pounds, line_figures
from ep_events.billing.orders import WantedLine, cancel_order, place_order
from ep_events.billing.pdf import invoice_pdf
from ep_events.billing.settings import price_on, vat_rate_on
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.core.time import to_uk, uk_date, utcnow
from ep_events.network_days.days import upcoming_days
from ep_events.network_days.memberships import (
    check_not_member,
    end_membership,
    lock_memberships,
    membership_year_label,
    memberships_of_order,
    record_bought_membership,
)
from ep_events.network_days.models import Membership, NetworkDay
from ep_events.network_days.places import add_bought_places, cancel_bought_places, check_room
from ep_events.network_days.waitlist import offer_freed_places, took_offer


@dataclass(frozen=True)
class BillingDetails:
    """Who the invoice goes to, as the agency admin entered them."""

    contact_name: str
    contact_email: str
    address: str
    po_number: str = ""
    no_po: bool = False


@dataclass(frozen=True)
class Quote:
    """What an order will cost today, for the review page: the same figures the invoice will carry."""

    description: str
    quantity: int
    unit_pence: int
    net_pence: int
    vat_basis_points: int
    vat_pence: int
    total_pence: int

    @property
    def unit(self) -> str:
        return format_pounds(self.unit_pence)

    @property
    def net(self) -> str:
        return format_pounds(self.net_pence)

    @property
    def vat(self) -> str:
        return format_pounds(self.vat_pence)

    @property
    def total(self) -> str:
        return format_pounds(self.total_pence)


def _may_buy(actor, programme, agency) -> None:
    if not (can_administer_organisation(actor, agency) or can_manage_programme(actor, programme)):
        raise NotAllowed(f"Only {agency.name}'s admins can buy for it")


def membership_description(year: int, programme=None) -> str:
    return f"Network membership, {membership_year_label(year, programme)}"


def extra_places_description(network_day: NetworkDay) -> str:
    return f"Extra place at {network_day.title}, {uk_date(network_day.starts_at)}"


def quote(programme, item: BillingItem, quantity: int, description: str, now: datetime | None = None) -> Quote:
    """Today's price and VAT for `quantity` of an item, computed as the order will compute them."""
    day: date = to_uk(now or utcnow()).date()
    price = price_on(programme, item, day)
    if price is None:
        raise DomainError(f"There is no {item.label.lower()} price yet: the organiser must set one")
    figures = line_figures(quantity, price.amount_pence, vat_rate_on(programme, day))
    return Quote(description=description, quantity=quantity, unit_pence=figures["unit_price_pence"],
                 net_pence=figures["net_pence"], vat_basis_points=figures["vat_basis_points"],
                 vat_pence=figures["vat_pence"], total_pence=figures["line_total_pence"])


def _order(actor, programme, agency, line: WantedLine, billing: BillingDetails, now: datetime) -> Order:
    order = place_order(actor, programme, agency, [line], billing_contact_name=billing.contact_name,
                        billing_contact_email=billing.contact_email, billing_address=billing.address,
                        po_number=billing.po_number, no_po=billing.no_po, now=now)
    invoice = issue_invoice(order, actor, today=to_uk(now).date())
    billing_emails.send_invoice(invoice, invoice_pdf(invoice))
    return order


def buy_membership(actor, programme, agency, year: int, billing: BillingDetails,
                   now: datetime | None = None) -> Membership:
    """An agency's membership for a year: one order, one invoice emailed with its PDF, one membership. Two
    admins confirming at once get one of each (the second is told the agency is already a member)."""
    now = now or utcnow()
    _may_buy(actor, programme, agency)
    lock_memberships(agency)
    check_not_member(programme, agency, year)
    line = WantedLine(BillingItem.MEMBERSHIP, 1, membership_description(year, programme))
    order = _order(actor, programme, agency, line, billing, now)
    return record_bought_membership(actor, programme, agency, year, order.id)


def buy_extra_places(actor, network_day: NetworkDay, agency, quantity: int, billing: BillingDetails,
                     now: datetime | None = None) -> Order:
    """N extra places on a day, held for the agency to name: one order and one invoice, only if they all fit
    (the day's lock is held from the count to the last place, so the last place is sold once)."""
    now = now or utcnow()
    _may_buy(actor, network_day.programme, agency)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise DomainError("Enter a number of places of 1 or more", field="quantity")
    check_room(network_day, quantity, now, agency)
    order = _order(actor, network_day.programme, agency,
                   WantedLine(BillingItem.EXTRA_PLACE, quantity, extra_places_description(network_day)), billing, now)
    add_bought_places(actor, network_day, agency, quantity, order.lines[0].id)
    took_offer(network_day, agency)
    return order


def cancel_network_order(actor, order: Order, reason: str, lines: list[OrderLine] | None = None,
                         now: datetime | None = None):
    """The organiser cancels an order in full or some lines: billing issues the credit note; what the cancelled
    lines bought goes too (a membership and its places to come; extra places, the people named told)."""
    now = now or utcnow()
    if not can_manage_programme(actor, order.programme):
        raise NotAllowed("Only the programme's organisers can cancel an order")
    credit_note = cancel_order(order, actor, reason, lines, now=now, today=to_uk(now).date())
    cancelled_lines = lines if lines is not None else list(order.lines)
    places = cancel_bought_places(actor, [line.id for line in cancelled_lines
                                          if line.item is BillingItem.EXTRA_PLACE], reason.strip(), now)
    if order.status is OrderStatus.CANCELLED or any(line.item is BillingItem.MEMBERSHIP for line in cancelled_lines):
        for membership in memberships_of_order(order.id):
            places += end_membership(actor, membership, reason.strip(), now)
            # Its held membership places are free now: agencies waiting may take them.
            for network_day in upcoming_days(order.programme, now):
                offer_freed_places(network_day, now)
    record_audit(actor, "network.order.cancel", order, f"Order {order.id}: {places} place(s) cancelled")
    return credit_note
