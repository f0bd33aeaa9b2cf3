"""Bad input to an order is refused with a message for its field, and nothing is saved."""

import pytest
from sqlalchemy import func, select

from ep_events.billing.models import BillingItem, Order, OrderLine
from ep_events.billing.orders import WantedLine, place_order
from ep_events.billing.settings import update_billing_settings
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from tests import factories
from tests.billing.conftest import order_for


def _nothing_saved():
    return db.session.execute(select(func.count(Order.id))).scalar_one() == 0 \
        and db.session.execute(select(func.count(OrderLine.id))).scalar_one() == 0


@pytest.mark.parametrize(("details", "field", "message"), [
    ({"po_number": "P" * 51}, "po_number", "50 characters or fewer"),
    ({"po_number": "PO\x001"}, "po_number", "control characters"),
    ({"po_number": "PO\n1"}, "po_number", "control characters"),
    ({"po_number": "PO\x1b[31m"}, "po_number", "control characters"),
    ({"po_number": "  "}, "po_number", "Enter the purchase order number"),
    ({"billing_address": "x" * 100_000}, "billing_address", "2,000 characters or fewer"),
    ({"billing_address": "x" * 2001}, "billing_address", "2,000 characters or fewer"),
    ({"billing_address": ""}, "billing_address", "Enter the billing address"),
    ({"billing_address": "1 High St\x07"}, "billing_address", "control characters"),
    ({"billing_contact_email": "not an email"}, "billing_contact_email", "correct format"),
    ({"billing_contact_email": "finance@"}, "billing_contact_email", "correct format"),
    ({"billing_contact_name": ""}, "billing_contact_name", "Enter the billing contact’s name"),
])
def test_bad_order_details_are_refused_and_nothing_is_saved(programme, agency, details, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        order_for(programme, agency, **details)
    assert refused.value.field == field
    db.session.rollback()
    assert _nothing_saved()


@pytest.mark.parametrize("quantity", [0, -1, 1001, 10_000, True, "2"])
def test_a_quantity_outside_1_to_1000_is_refused_and_nothing_is_saved(programme, agency, quantity):
    lines = [WantedLine(BillingItem.MEMBERSHIP, 1, "Membership"), WantedLine(BillingItem.EXTRA_PLACE, quantity, "X")]
    with pytest.raises(DomainError, match="from 1 to 1,000") as refused:
        order_for(programme, agency, lines)
    assert refused.value.field == "quantity"
    db.session.rollback()
    assert _nothing_saved()


def test_the_largest_quantity_is_allowed(programme, agency):
    order = order_for(programme, agency, [WantedLine(BillingItem.EXTRA_PLACE, 1000, "Extra places")])
    assert order.total_pence == 15_000_000


def test_a_po_number_is_not_needed_when_the_agency_does_not_use_them(programme, agency):
    order = order_for(programme, agency, po_number="", no_po=True)
    assert (order.po_number, order.no_po) == ("", True)
    assert order_for(programme, agency, po_number="P" * 50).po_number == "P" * 50


def test_an_order_with_nothing_to_price_is_refused(programme, agency):
    other = factories.programme()
    with pytest.raises(DomainError, match="no membership price"):
        order_for(other, agency)
    with pytest.raises(DomainError, match="Choose what to order"):
        place_order(None, programme, agency, [], billing_contact_name="Finance", billing_contact_email="f@example.org",
                    billing_address="1 High Street", po_number="PO-1")


@pytest.mark.parametrize(("values", "field"), [
    ({"legal_name": ""}, "legal_name"),
    ({"payment_terms_days": -1}, "payment_terms_days"),
    ({"payment_terms_days": 366}, "payment_terms_days"),
    ({"invoice_prefix": "X" * 21}, "invoice_prefix"),
    ({"membership_year_start_month": 2, "membership_year_start_day": 30}, "membership_year_start_day"),
    ({"membership_year_start_month": 2, "membership_year_start_day": 29}, "membership_year_start_day"),
    ({"membership_year_start_month": 13}, "membership_year_start_day"),
])
def test_bad_invoice_details_are_refused(programme, organiser, values, field):
    values = {"legal_name": "Coram", "address": "London", "how_to_pay": "Bank transfer", **values}
    with pytest.raises(DomainError) as refused:
        update_billing_settings(organiser, programme, **values)
    assert refused.value.field == field
