"""Network Days journeys in Chromium, keyboard only, with axe on every page visited."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from ep_events.accounts.models import Role
from ep_events.billing.models import BillingItem, Invoice
from ep_events.billing.settings import set_price, update_billing_settings
from ep_events.core.time import UK, utcnow
from ep_events.extensions import db
from ep_events.network_days.memberships import membership_year_of
from ep_events.network_days.models import NetworkPlace
from ep_events.network_orders.purchases import BillingDetails, buy_extra_places
from ep_events.notifications.outbox import deliver_all
from tests import factories
from tests.browser.keyboard import choose_radio, press, type_into
from tests.browser.test_surgery_journeys import sign_in_with_keyboard
from tests.network_days.conftest import network_day

pytestmark = pytest.mark.browser


def _network_agency():
    """A Network programme with prices from yesterday, one published day six weeks ahead (the real clock: the
    site runs on it), an agency with its admin and a colleague."""
    now = utcnow()
    programme = factories.programme(kind="network_days", slug="coram-network", name="Coram EP Network Days",
                                    contact_email="ep-network@example.org")
    organiser = factories.user(email="organiser@example.org", roles=[(Role.ORGANISER, programme)])
    agency = factories.organisation(name="Riverton City Council")
    admin = factories.user(email="agency-admin@example.org", name="Ada Admin", organisation_id=agency.id,
                           roles=[(Role.AGENCY_ADMIN, agency)])
    colleague = factories.user(email="alice@example.org", name="Alice Adams", organisation_id=agency.id)
    yesterday = (now.astimezone(UK) - timedelta(days=1)).date()
    update_billing_settings(organiser, programme, legal_name="Coram", address="41 Brunswick Square\nLondon WC1N 1AZ",
                            charity_number="312278", how_to_pay="Bank transfer to sort code 00-00-00",
                            invoice_prefix="NET-", credit_note_prefix="NET-CN-")
    set_price(organiser, programme, BillingItem.MEMBERSHIP, "150.00", yesterday)
    set_price(organiser, programme, BillingItem.EXTRA_PLACE, "150.00", yesterday)
    day = network_day(SimpleNamespace(organiser=organiser, programme=programme), now=now,
                      day=(now.astimezone(UK) + timedelta(weeks=6)).date(), capacity=20)
    db.session.commit()
    return SimpleNamespace(programme=programme, organiser=organiser, agency=agency, admin=admin,
                           colleague=colleague, day=day)


def test_agency_admin_buys_a_membership_sees_the_invoice_and_names_a_colleague(
        page, live_server, check_page, mailbox, app):
    w = _network_agency()

    year = membership_year_of(w.day)
    sign_in_with_keyboard(page, check_page, w.admin)
    page.goto("/network-days/coram-network/join")
    check_page(page, "join")
    buy = re.compile(rf"^Buy membership for Riverton City Council \(1 April {year} ")
    press(page, page.get_by_role("button", name=buy))
    check_page(page, "buy-membership")
    type_into(page, page.get_by_label("Billing contact name"), "Finance Team")
    type_into(page, page.get_by_label("Billing contact email address"), "finance@example.org")
    type_into(page, page.get_by_label("Billing address"), "1 High Street, Riverton RT1 1AA")
    press(page, page.get_by_role("button", name="Continue"))  # no PO number and no tick: refused
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_page(page, "buy-membership-errors")
    type_into(page, page.get_by_label("Purchase order (PO) number"), "PO-7781")
    press(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check")
    expect(page.locator("main")).to_contain_text("£150.00")
    check_page(page, "review")
    press(page, page.get_by_role("button", name="Confirm order"))
    expect(page.get_by_text("Order confirmed")).to_be_visible()
    check_page(page, "confirmed")
    db.session.expire_all()
    invoice = db.session.execute(select(Invoice)).scalar_one()
    expect(page.locator("main")).to_contain_text(invoice.reference)
    deliver_all("journey")
    [sent] = mailbox.to("finance@example.org")
    assert sent.attachment(f"{invoice.reference}.pdf") is not None

    press(page, page.get_by_role("link", name="Go to Riverton City Council's page"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverton City Council")
    invoices = page.get_by_role("table", name="Invoices")
    expect(invoices).to_contain_text(invoice.reference)
    expect(invoices).to_contain_text("PO-7781")
    expect(invoices).to_contain_text("£150.00")
    check_page(page, "account")

    pdf_link = page.get_by_role("link", name=f"Download PDF of invoice {invoice.reference}")
    download = page.request.get(pdf_link.get_attribute("href"))
    assert download.ok and download.headers["content-type"] == "application/pdf"
    assert download.body().startswith(b"%PDF")

    press(page, page.get_by_role("link", name=re.compile(r"^Name the Membership place on")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Name the membership place")
    check_page(page, "name-place")

    # Sent with nobody chosen: the error summary, and nothing named.
    press(page, page.get_by_role("button", name="Name the place"))
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_page(page, "name-place-errors")

    choose_radio(page, page.get_by_label("Alice Adams"))
    press(page, page.get_by_role("button", name="Name the place"))
    expect(page.get_by_text("Alice Adams is named on the membership place")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("places on"))).to_contain_text("Alice Adams")
    check_page(page, "named")

    db.session.expire_all()
    place = db.session.execute(select(NetworkPlace)).scalar_one()
    deliver_all("journey")
    invite = mailbox.to("alice@example.org")[-1]
    event = next(iter(Calendar.from_ical(invite.part("text/calendar")).walk("VEVENT")))
    assert str(event["UID"]) == place.uid and event.decoded("DTSTART") == w.day.starts_at


def test_organiser_records_a_part_payment_then_cancels_an_extra_place_order(page, live_server, check_page, app):
    w = _network_agency()
    order = buy_extra_places(w.admin, w.day, w.agency, 2, BillingDetails(
        contact_name="Finance Team", contact_email="finance@example.org", address="1 High Street\nRiverton RT1 1AA",
        po_number="PO-9001"))
    db.session.commit()
    invoice = order.invoice
    today = utcnow().astimezone(UK).date()

    sign_in_with_keyboard(page, check_page, w.organiser)
    page.goto("/billing/coram-network/invoices?show=unpaid")
    check_page(page, "invoices")
    press(page, page.get_by_role("link", name=invoice.reference))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice {invoice.reference}")
    check_page(page, "invoice")

    # A part payment: £100 of £300.
    type_into(page, page.get_by_label("Amount received in pounds"), "100.00")
    type_into(page, page.get_by_label("Day"), str(today.day))
    type_into(page, page.get_by_label("Month"), str(today.month))
    type_into(page, page.get_by_label("Year"), str(today.year))
    choose_radio(page, page.get_by_label("Bank transfer"))
    type_into(page, page.get_by_label("Payment reference (optional)"), "BACS 1234")
    press(page, page.get_by_role("button", name="Record payment"))
    expect(page.get_by_text("Payment of £100.00 recorded")).to_be_visible()
    outstanding = page.locator(".govuk-summary-list__row", has_text="Outstanding")
    expect(outstanding).to_contain_text("£200.00")
    check_page(page, "paid-in-part")

    press(page, page.get_by_role("link", name="Cancel this order, or some of its lines"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel order")
    check_page(page, "cancel-order")
    press(page, page.get_by_role("button", name="Cancel and issue a credit note"))  # no reason: refused
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_page(page, "cancel-order-errors")
    type_into(page, page.get_by_label("Reason"), "Riverton can no longer send two people")
    press(page, page.get_by_role("button", name="Cancel and issue a credit note"))
    expect(page.get_by_text("Credit note NET-CN-000001 issued.")).to_be_visible()
    expect(page.get_by_role("table", name="Credit notes against this invoice")).to_contain_text("£300.00")
    # Invoiced £300, credited £300, paid £100: £100 overpaid, to refund.
    expect(outstanding).to_contain_text("-£100.00")
    check_page(page, "cancelled")
    db.session.expire_all()
    assert {p.status.value for p in db.session.execute(select(NetworkPlace)).scalars()} == {"cancelled"}
