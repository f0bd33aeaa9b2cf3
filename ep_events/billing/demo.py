"""Demo money for the Coram Network programme: invoice details, prices, VAT, and the member agencies'
orders and invoices (one paid, one not yet due, one overdue), all dated from now."""

from datetime import date, timedelta

from sqlalchemy import func, select

from ep_events.accounts.models import User
from ep_events.billing.invoices import issue_invoice
from ep_events.billing.models import BillingItem, Order, PaymentMethod, Price
from ep_events.billing.orders import WantedLine, place_order
from ep_events.billing.payments import record_payment
from ep_events.billing.settings import (
    get_billing_settings,
    membership_year,
    set_price,
    set_vat_rate,
    update_billing_settings,
)
from ep_events.core.time import to_uk, utcnow
from ep_events.extensions import db

PROGRAMME = "coram-network"
ORGANISER = "organiser@example.org"
ADDRESS = "Coram (demo)\n1 Example Street\nLondon\nWC1N 0AA"
HOW_TO_PAY = ("Pay by bank transfer to Coram (demo), sort code 00-00-00, account 00000000, quoting the invoice "
              "number. Questions about an invoice: ep-network@example.org.")
MEMBERSHIP_POUNDS = EXTRA_PLACE_POUNDS = "150"

# The member agencies' orders for next year's membership (the same agencies as network_days/demo.py):
# name, extra places, days ago placed and invoiced, paid. With 30 days' terms, 45 days ago is overdue.
ORDERS = [
    ("Adoption Central Midlands", 0, 45, False),
    ("Marches Together Adoption", 2, 20, True),
    ("Forest and Peaks Adoption Charity", 0, 5, False),
]


def load_billing_demo(programmes: dict, organisations: dict) -> None:
    programme = programmes[PROGRAMME]
    if db.session.execute(select(func.count(Order.id)).where(Order.programme_id == programme.id)).scalar_one():
        return
    organiser = db.session.execute(select(User).where(User.email == ORGANISER)).scalar_one()
    now = utcnow()
    today = to_uk(now).date()
    if not get_billing_settings(programme).legal_name:
        update_billing_settings(organiser, programme, legal_name="Coram (demo)", address=ADDRESS,
                                payment_terms_days=30, how_to_pay=HOW_TO_PAY, invoice_prefix="NET-",
                                credit_note_prefix="NETCR-")
    # From the start of the current membership year; in its first weeks, from the year before, so the
    # overdue order (placed 45 days ago) had a price on the day it was placed.
    earliest = today - timedelta(days=max(days_ago for *_, days_ago, _paid in ORDERS))
    prices_from, _ = membership_year(programme, min(today, earliest))
    if not db.session.execute(select(Price.id).where(Price.programme_id == programme.id)).first():
        set_price(organiser, programme, BillingItem.MEMBERSHIP, MEMBERSHIP_POUNDS, prices_from)
        set_price(organiser, programme, BillingItem.EXTRA_PLACE, EXTRA_PLACE_POUNDS, prices_from)
        set_vat_rate(organiser, programme, "0", prices_from)

    _, this_year_ends = membership_year(programme, today)
    next_year = membership_year(programme, this_year_ends + timedelta(days=1))
    label = _year_label(*next_year)
    for name, extra_places, days_ago, paid in ORDERS:
        agency = organisations[name]
        lines = [WantedLine(BillingItem.MEMBERSHIP, 1, f"Network membership, {label}")]
        if extra_places:
            lines.append(WantedLine(BillingItem.EXTRA_PLACE, extra_places,
                                    f"Extra places at the first Network Day, {label}"))
        placed = now - timedelta(days=days_ago)
        order = place_order(organiser, programme, agency, lines, billing_contact_name="Accounts payable",
                            billing_contact_email=f"accounts.{_slug(name)}@example.org",
                            billing_address=f"{name}\n1 Demo Road\nBirmingham\nB1 1AA",
                            po_number=f"PO-DEMO-{agency.id:04d}", now=placed)
        invoice = issue_invoice(order, organiser, today=to_uk(placed).date())
        if paid:
            total = sum(line.line_total_pence for line in invoice.lines)
            record_payment(invoice, organiser, total, today, PaymentMethod.BANK_TRANSFER,
                           reference=f"BACS {invoice.reference}")
    db.session.flush()


def _year_label(first: date, last: date) -> str:
    return f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}"


def _slug(name: str) -> str:
    return "-".join(name.lower().split())
