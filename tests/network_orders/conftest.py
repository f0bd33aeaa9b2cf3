"""The Network world (tests/network_days/conftest.py) with invoice details and prices, so agencies can buy."""

from datetime import date

import pytest

from ep_events.billing.models import BillingItem
from ep_events.billing.settings import set_price, update_billing_settings
from ep_events.extensions import db
from ep_events.network_orders.purchases import BillingDetails
from tests.network_days.conftest import NOW, build_world, network_day  # noqa: F401 (shared with the tests here)

PRICES_FROM = date(2026, 1, 1)
BILLING = BillingDetails(contact_name="Finance Team", contact_email="finance@example.org",
                         address="1 High Street\nRiverton RT1 1AA", po_number="PO-7781")


def set_up_billing(world):
    update_billing_settings(world.organiser, world.programme, legal_name="Coram",
                            address="41 Brunswick Square\nLondon WC1N 1AZ", charity_number="312278",
                            how_to_pay="Bank transfer to sort code 00-00-00", invoice_prefix="NET-",
                            credit_note_prefix="NET-CN-")
    set_price(world.organiser, world.programme, BillingItem.MEMBERSHIP, "150.00", PRICES_FROM)
    set_price(world.organiser, world.programme, BillingItem.EXTRA_PLACE, "150.00", PRICES_FROM)
    db.session.commit()
    return world


def build_shop():
    return set_up_billing(build_world())


@pytest.fixture
def shop(app):
    """The Network world, billing set up: Riverton and Southvale are members for 2027 (recorded by the organiser)."""
    return build_shop()
