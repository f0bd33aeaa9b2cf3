"""An organiser's programme with invoice details and prices, and an agency to order from it."""

from datetime import UTC, date, datetime

import pytest

from ep_events.billing.invoices import issue_invoice
from ep_events.billing.models import BillingItem
from ep_events.billing.orders import WantedLine, place_order
from ep_events.billing.settings import set_price, update_billing_settings
from ep_events.extensions import db
from tests import factories

# Fixed days: nothing here depends on today's date.
PRICES_FROM = date(2026, 1, 1)
ORDERED_AT = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
ORDERED_ON = date(2026, 5, 1)


def set_up_programme(organiser=None):
    programme = factories.programme(name="Coram Early Permanence Network")
    update_billing_settings(organiser, programme, legal_name="Coram", address="41 Brunswick Square\nLondon WC1N 1AZ",
                            charity_number="312278", how_to_pay="Bank transfer to sort code 00-00-00",
                            invoice_prefix="CORAM-", credit_note_prefix="CORAM-CN-")
    set_price(organiser, programme, BillingItem.MEMBERSHIP, "150.00", PRICES_FROM)
    set_price(organiser, programme, BillingItem.EXTRA_PLACE, "150.00", PRICES_FROM)
    return programme


def order_for(programme, agency, lines=None, at=ORDERED_AT, **details):
    details = {"billing_contact_name": "Finance Team", "billing_contact_email": "finance@example.org",
               "billing_address": "1 High Street\nBirmingham B1 1AA", "po_number": "PO-1234", **details}
    lines = lines or [WantedLine(BillingItem.MEMBERSHIP, 1, "Membership 2026 to 2027")]
    return place_order(None, programme, agency, lines, now=at, **details)


def invoiced_order(programme, agency, lines=None, on=ORDERED_ON):
    order = order_for(programme, agency, lines)
    return order, issue_invoice(order, None, today=on)


@pytest.fixture
def organiser():
    return factories.user(name="Network Lead")


@pytest.fixture
def programme(app, organiser):
    programme = set_up_programme(organiser)
    db.session.commit()
    return programme


@pytest.fixture
def agency(app):
    agency = factories.organisation(name="Birmingham Children's Trust")
    db.session.commit()
    return agency
