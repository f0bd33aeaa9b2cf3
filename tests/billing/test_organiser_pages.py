"""The organiser's billing pages: settings, prices and VAT, the invoices list, an invoice with its payments and
reminders, the finance export, and who may see them (issue 13)."""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.billing.invoices import issue_credit_note, issue_invoice
from ep_events.billing.models import BillingItem, BillingSettings, Payment, PaymentMethod, Price, VatRate
from ep_events.billing.payments import record_payment
from ep_events.billing.settings import set_price, set_vat_rate, update_billing_settings
from ep_events.core.audit import AuditEntry
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from tests import factories
from tests.billing.conftest import PRICES_FROM, order_for
from tests.conftest import sign_in
from tests.html_validator import PageFolder

# Frozen "now": the overdue invoice was due on 31 May 2026, the recent one is due on 9 August 2026.
NOW = datetime(2026, 7, 15, 9, 0, tzinfo=UTC)
SLUG = "coram-network"
BASE = f"/billing/{SLUG}"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def page_text(response) -> str:
    return text_of(response.get_data(as_text=True))


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


class World:
    pass


@pytest.fixture
def freezer():
    freezer = freeze_time(NOW)
    freezer.start()
    yield freezer
    freezer.stop()


@pytest.fixture
def world(app, freezer):
    return build_world()


def build_world() -> World:
    w = World()
    w.programme = factories.programme(kind="network_days", slug=SLUG, name="Coram EP Network",
                                      contact_email="ep-network@example.org")
    w.organiser = factories.user(email="organiser@example.org", roles=[(Role.ORGANISER, w.programme)])
    update_billing_settings(w.organiser, w.programme, legal_name="Coram", address="41 Brunswick Square\nLondon",
                            how_to_pay="Bank transfer to sort code 00-00-00, quoting the invoice number",
                            invoice_prefix="CORAM-", credit_note_prefix="CORAM-CN-", payment_terms_days=30)
    set_price(w.organiser, w.programme, BillingItem.MEMBERSHIP, "150.00", PRICES_FROM)
    set_price(w.organiser, w.programme, BillingItem.EXTRA_PLACE, "100.00", PRICES_FROM)
    set_vat_rate(w.organiser, w.programme, "20", PRICES_FROM)
    w.agency = factories.organisation(name="Riverton City Council")
    w.other_agency = factories.organisation(name="Southvale Borough Council")
    # Issued 1 May, due 31 May: overdue on 15 July. £150 + 20% VAT = £180.
    w.overdue = issue_invoice(order_for(w.programme, w.agency, billing_contact_email="finance@example.org",
                                        po_number="PO-RIVER"), None, today=date(2026, 5, 1))
    # Issued 10 July, due 9 August: unpaid but not overdue.
    w.recent = issue_invoice(order_for(w.programme, w.other_agency, at=datetime(2026, 7, 10, 9, tzinfo=UTC),
                                       po_number="=HYPERLINK(\"http://example.org\")"), None, today=date(2026, 7, 10))
    # Issued and paid in June.
    w.paid = issue_invoice(order_for(w.programme, w.other_agency, at=datetime(2026, 6, 1, 9, tzinfo=UTC)), None,
                           today=date(2026, 6, 1))
    record_payment(w.paid, None, "180.00", date(2026, 6, 20), PaymentMethod.BANK_TRANSFER, reference="BACS 1")
    w.agency_admin = factories.user(email="agency-admin@example.org", organisation_id=w.agency.id,
                                    roles=[(Role.AGENCY_ADMIN, w.agency)])
    w.other_admin = factories.user(email="other-admin@example.org", organisation_id=w.other_agency.id,
                                   roles=[(Role.AGENCY_ADMIN, w.other_agency)])
    w.practitioner = factories.user(email="practitioner@example.org", organisation_id=w.agency.id)
    other = factories.programme(kind="network_days", slug="other-network")
    w.other_organiser = factories.user(email="other-organiser@example.org", roles=[(Role.ORGANISER, other)])
    w.site_admin = factories.admin(email="admin@example.org")
    db.session.commit()
    return w


def organiser_client(client, world):
    sign_in(client, world.organiser)
    return client


def _invoice_url(invoice) -> str:
    return f"{BASE}/invoices/{invoice.id}"


# --- Who may see the pages ------------------------------------------------------------------------

def _organiser_urls(world) -> list[str]:
    return [f"{BASE}/settings", f"{BASE}/invoices", f"{BASE}/invoices?show=overdue", _invoice_url(world.overdue),
            f"{BASE}/export"]


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in _organiser_urls(world) + [f"{_invoice_url(world.overdue)}.pdf"]:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url
    response = client.post(f"{BASE}/settings/prices", data={"price-item": "membership"})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_practitioners_agency_admins_and_other_organisers_are_refused(client, world):
    before = (count(Price), count(Payment), count(OutboxMessage))
    for person in (world.practitioner, world.agency_admin, world.other_organiser):
        sign_in(client, person)
        for url in _organiser_urls(world):
            assert client.get(url).status_code == 403, (person.email, url)
        assert client.post(f"{BASE}/settings/prices", data={
            "price-item": "membership", "price-amount": "1.00",
            "price-applies_from": ["1", "1", "2027"]}).status_code == 403
        assert client.post(_invoice_url(world.overdue), data={
            "amount": "1.00", "received_on": ["1", "7", "2026"], "method": "card"}).status_code == 403
        assert client.post(f"{_invoice_url(world.overdue)}/reminder").status_code == 403
        client.post("/sign-out")
    assert (count(Price), count(Payment), count(OutboxMessage)) == before


def test_site_admins_may_see_the_pages(client, world):
    sign_in(client, world.site_admin)
    for url in _organiser_urls(world):
        assert client.get(url).status_code == 200, url


def test_missing_programmes_and_another_programmes_invoices_are_not_found(client, world):
    sign_in(client, world.site_admin)
    assert client.get("/billing/nothing-here/invoices").status_code == 404
    assert client.get(f"/billing/other-network/invoices/{world.overdue.id}").status_code == 404
    assert client.get(f"{BASE}/invoices/999999").status_code == 404
    assert client.get(f"{BASE}/credit-notes/999999.pdf").status_code == 404


def test_the_network_days_manage_page_links_to_billing(client, world):
    organiser_client(client, world)
    html = client.get(f"/network-days/{SLUG}/manage").get_data(as_text=True)
    assert f'href="{BASE}/invoices"' in html and f'href="{BASE}/settings"' in html and f'href="{BASE}/export"' in html


# --- Settings, prices and VAT ----------------------------------------------------------------------

def test_the_settings_page_shows_the_details_and_the_price_and_vat_history(client, world):
    organiser_client(client, world)
    set_price(world.organiser, world.programme, BillingItem.MEMBERSHIP, "175.00", date(2027, 4, 1))
    db.session.commit()
    response = client.get(f"{BASE}/settings")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Coram"' in html and 'value="CORAM-"' in html
    text = text_of(html)
    assert "Thursday 1 April 2027 £175.00" in text and "Thursday 1 January 2026 £150.00" in text
    assert "Thursday 1 January 2026 20%" in text


def test_saving_invoice_details(client, world):
    organiser_client(client, world)
    response = client.post(f"{BASE}/settings", data={
        "legal_name": "Coram Family", "address": "41 Brunswick Square\nLondon WC1N 1AZ", "charity_number": "312278",
        "company_number": "", "vat_number": "GB123456789", "payment_terms_days": "14",
        "how_to_pay": "BACS", "invoice_prefix": "NET-", "credit_note_prefix": "NETCR-",
        "membership_year_start_day": "1", "membership_year_start_month": "9"})
    assert response.status_code == 302
    settings = db.session.execute(select(BillingSettings)).scalar_one()
    db.session.refresh(settings)
    assert (settings.legal_name, settings.payment_terms_days, settings.invoice_prefix,
            settings.membership_year_start_month) == ("Coram Family", 14, "NET-", 9)
    assert "Invoices issued from now on carry them" in page_text(client.get(f"{BASE}/settings"))


def test_adding_a_price_and_a_vat_rate(client, world):
    organiser_client(client, world)
    response = client.post(f"{BASE}/settings/prices", data={
        "price-item": "extra_place", "price-amount": "125.50", "price-applies_from": ["1", "4", "2027"]})
    assert response.status_code == 302
    response = client.post(f"{BASE}/settings/vat-rates", data={
        "vat-rate": "17.5", "vat-applies_from": ["1", "4", "2027"]})
    assert response.status_code == 302
    text = page_text(client.get(f"{BASE}/settings"))
    assert "Thursday 1 April 2027 £125.50" in text and "Thursday 1 April 2027 17.5%" in text


@pytest.mark.parametrize("amount, day, message", [
    ("150.005", ["1", "4", "2027"], "no more than 2 decimal places"),
    ("-5", ["1", "4", "2027"], "Enter an amount in pounds and pence"),
    ("99999999999", ["1", "4", "2027"], "£1,000,000.00 or less"),
    ("1" * 5000, ["1", "4", "2027"], "£1,000,000.00 or less"),
    ("150", ["1", "4", "9999"], "Enter a date in the years 2000 to 2100"),
    ("150", ["31", "2", "2027"], "Enter a real date"),
    ("150", ["1", "1", "2026"], "already applies from that date"),
    ("", ["", "", ""], "Enter the price in pounds"),
])
def test_a_bad_price_shows_the_error_summary_and_saves_nothing(client, world, amount, day, message):
    organiser_client(client, world)
    before = count(Price)
    response = client.post(f"{BASE}/settings/prices", data={
        "price-item": "membership", "price-amount": amount, "price-applies_from": day})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and message in text_of(html)
    assert count(Price) == before


@pytest.mark.parametrize("rate, day, message", [
    ("101", ["1", "4", "2027"], "from 0 to 100%"),
    ("-1", ["1", "4", "2027"], "as a percentage"),
    ("17.555", ["1", "4", "2027"], "as a percentage"),
    ("20", ["1", "4", "9999"], "Enter a date in the years 2000 to 2100"),
    ("20", ["1", "13", "2027"], "Enter a real date"),
])
def test_a_bad_vat_rate_shows_the_error_summary_and_saves_nothing(client, world, rate, day, message):
    organiser_client(client, world)
    before = count(VatRate)
    response = client.post(f"{BASE}/settings/vat-rates", data={"vat-rate": rate, "vat-applies_from": day})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True) and message in page_text(response)
    assert count(VatRate) == before


@pytest.mark.parametrize("changes, message", [
    ({"payment_terms_days": "-1"}, "Payment terms must be a whole number of days from 0 to 365"),
    ({"payment_terms_days": "9" * 30}, "Payment terms must be a whole number of days from 0 to 365"),
    ({"payment_terms_days": "1.5"}, "Payment terms must be a whole number of days from 0 to 365"),
    ({"legal_name": ""}, "Enter the legal name"),
    ({"legal_name": "x" * 201}, "200 characters or fewer"),
    ({"membership_year_start_day": "31", "membership_year_start_month": "2"}, "Enter a real day"),
    ({"membership_year_start_month": "13"}, "Choose the month"),
])
def test_bad_invoice_details_show_the_error_summary_and_change_nothing(client, world, changes, message):
    organiser_client(client, world)
    data = {"legal_name": "Coram Family", "address": "London", "how_to_pay": "BACS", "payment_terms_days": "14",
            "invoice_prefix": "X-", "credit_note_prefix": "XC-", "membership_year_start_day": "1",
            "membership_year_start_month": "4"} | changes
    response = client.post(f"{BASE}/settings", data=data)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True) and message in page_text(response)
    db.session.expire_all()
    settings = db.session.execute(select(BillingSettings)).scalar_one()
    assert (settings.legal_name, settings.payment_terms_days, settings.invoice_prefix) == ("Coram", 30, "CORAM-")


# --- The invoices list -------------------------------------------------------------------------------

def test_the_invoices_list_filters_all_unpaid_and_overdue_with_the_figures(client, world):
    organiser_client(client, world)
    everything = page_text(client.get(f"{BASE}/invoices"))
    assert all(inv.reference in everything for inv in (world.overdue, world.recent, world.paid))
    assert ("CORAM-000001 Riverton City Council Friday 1 May 2026 Sunday 31 May 2026 Overdue £180.00 £180.00"
            in everything)
    assert "CORAM-000003 Southvale Borough Council Monday 1 June 2026 Wednesday 1 July 2026 £180.00 £0.00" in everything
    unpaid = page_text(client.get(f"{BASE}/invoices?show=unpaid"))
    assert world.overdue.reference in unpaid and world.recent.reference in unpaid
    assert world.paid.reference not in unpaid
    overdue = page_text(client.get(f"{BASE}/invoices?show=overdue"))
    assert world.overdue.reference in overdue
    assert world.recent.reference not in overdue and world.paid.reference not in overdue


def test_an_unknown_filter_or_page_shows_the_first_page_of_everything(client, world):
    organiser_client(client, world)
    for query in ("show=x", "show=" + "y" * 5000, f"page={2**63}", "page=²"):
        response = client.get(f"{BASE}/invoices?{query}")
        assert response.status_code == 200 and world.paid.reference in page_text(response), query


# --- One invoice, payments and reminders -------------------------------------------------------------

def test_the_invoice_page_shows_lines_credit_notes_payments_and_the_balance(client, world):
    issue_credit_note(world.paid, None, "Agency closed", today=date(2026, 6, 25))
    db.session.commit()
    organiser_client(client, world)
    text = page_text(client.get(_invoice_url(world.paid)))
    assert "Membership 2026 to 2027 1 £150.00 £150.00 20% £30.00 £180.00" in text
    assert "CORAM-CN-000001 (PDF) Thursday 25 June 2026 Agency closed £180.00" in text
    assert "Saturday 20 June 2026 Bank transfer BACS 1 £180.00" in text
    assert "Outstanding -£180.00 (overpaid)" in text


def test_recording_a_part_payment_shows_the_balance_left(client, world):
    organiser_client(client, world)
    response = client.post(_invoice_url(world.overdue), data={
        "amount": "80.00", "received_on": ["10", "7", "2026"], "method": "cheque", "reference": "CHQ 42"})
    assert response.status_code == 302
    text = page_text(client.get(_invoice_url(world.overdue)))
    assert "Payment of £80.00 recorded against invoice CORAM-000001" in text
    assert "Outstanding £100.00" in text
    assert "Friday 10 July 2026 Cheque CHQ 42 £80.00" in text
    assert "£100.00" in page_text(client.get(f"{BASE}/invoices?show=overdue"))


def test_an_overpayment_is_refused_until_it_is_confirmed(client, world):
    organiser_client(client, world)
    data = {"amount": "200.00", "received_on": ["10", "7", "2026"], "method": "bank_transfer"}
    response = client.post(_invoice_url(world.overdue), data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text and "This is more than the £180.00 owed" in text
    assert "This is an overpayment" in text
    assert count(Payment) == 1
    response = client.post(_invoice_url(world.overdue), data=data | {"overpayment": "y"})
    assert response.status_code == 302
    text = page_text(client.get(_invoice_url(world.overdue)))
    assert "Outstanding -£20.00 (overpaid)" in text and "£200.00 (overpayment)" in text


@pytest.mark.parametrize("changes, message", [
    ({"amount": "10.005"}, "no more than 2 decimal places"),
    ({"amount": "-10"}, "Enter an amount in pounds and pence"),
    ({"amount": "0"}, "more than £0.00"),
    ({"amount": "9" * 40}, "£1,000,000.00 or less"),
    ({"received_on": ["1", "1", "9999"]}, "Enter a date in the years 2000 to 2100"),
    ({"received_on": ["30", "2", "2026"]}, "Enter a real date"),
    ({"received_on": ["1", "4", "2026"]}, "cannot be before the invoice date"),
    ({"method": "gold"}, "Not a valid choice"),
    ({"reference": "a\x01b"}, "control characters"),
])
def test_a_bad_payment_shows_the_error_summary_and_records_nothing(client, world, changes, message):
    organiser_client(client, world)
    data = {"amount": "10.00", "received_on": ["10", "7", "2026"], "method": "card"} | changes
    response = client.post(_invoice_url(world.overdue), data=data)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True) and message in page_text(response)
    assert count(Payment) == 1


def test_a_reminder_emails_the_billing_contact_the_amount_outstanding_once_a_day(client, world, freezer, mailbox,
                                                                                  deliver):
    organiser_client(client, world)
    record_payment(world.overdue, None, "30.00", date(2026, 6, 10), PaymentMethod.CARD)
    db.session.commit()
    assert "Send a payment reminder" in page_text(client.get(_invoice_url(world.overdue)))
    response = client.post(f"{_invoice_url(world.overdue)}/reminder", follow_redirects=True)
    assert "A payment reminder for £150.00 was sent to finance@example.org" in page_text(response)
    again = client.post(f"{_invoice_url(world.overdue)}/reminder", follow_redirects=True)
    assert "was sent on Wednesday 15 July 2026, 10:00am" in page_text(again)
    assert "You can send another from Thursday 16 July 2026, 10:00am" in page_text(again)
    assert count(OutboxMessage) == 1
    assert db.session.execute(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "billing.payment_reminder")).scalar_one() == 1
    freezer.stop()  # the mail server's event loop keeps real time
    [message] = deliver()
    freezer.start()
    assert message.recipients == ["finance@example.org"]
    assert "CORAM-000001" in message.subject and "£150.00" in message.subject
    assert "Amount outstanding: £150.00" in message.text and "Due: Sunday 31 May 2026" in message.text
    assert "Bank transfer to sort code 00-00-00" in message.text


def test_a_second_reminder_may_be_sent_a_day_later(client, world, freezer):
    organiser_client(client, world)
    client.post(f"{_invoice_url(world.overdue)}/reminder")
    freezer.stop()
    with freeze_time(datetime(2026, 7, 16, 9, 1, tzinfo=UTC)):
        response = client.post(f"{_invoice_url(world.overdue)}/reminder", follow_redirects=True)
        assert "A payment reminder for £180.00 was sent" in page_text(response)
    freezer.start()
    assert count(OutboxMessage) == 2


def test_no_reminder_for_an_invoice_that_is_not_overdue(client, world):
    organiser_client(client, world)
    assert "Send a payment reminder" not in page_text(client.get(_invoice_url(world.recent)))
    for invoice in (world.recent, world.paid):
        response = client.post(f"{_invoice_url(invoice)}/reminder", follow_redirects=True)
        assert "no reminder" in page_text(response)
    assert count(OutboxMessage) == 0


# --- Finance export ------------------------------------------------------------------------------------

def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_finance_export_lists_invoices_credit_notes_and_payments_by_date(client, world):
    issue_credit_note(world.paid, None, "Agency closed", today=date(2026, 6, 25))
    db.session.commit()
    organiser_client(client, world)
    response = client.post(f"{BASE}/export", data={"first": ["1", "5", "2026"], "last": ["30", "6", "2026"]})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "coram-network-finance-2026-05-01-to-2026-06-30.csv" in response.headers["Content-Disposition"]
    header, *rows = _rows(response)
    assert header == ["Document type", "Reference", "Date", "Customer", "PO number", "Net", "VAT", "Total",
                      "Invoice", "Payment method", "Payment reference"]
    assert rows == [
        ["Invoice", "CORAM-000001", "2026-05-01", "Riverton City Council", "PO-RIVER", "150.00", "30.00", "180.00",
         "", "", ""],
        ["Invoice", "CORAM-000003", "2026-06-01", "Southvale Borough Council", "PO-1234", "150.00", "30.00",
         "180.00", "", "", ""],
        ["Payment", "", "2026-06-20", "Southvale Borough Council", "PO-1234", "", "", "180.00", "CORAM-000003",
         "Bank transfer", "BACS 1"],
        ["Credit note", "CORAM-CN-000001", "2026-06-25", "Southvale Borough Council", "PO-1234", "150.00", "30.00",
         "180.00", "CORAM-000003", "", ""],
    ]


def test_the_finance_export_neutralises_formulas(client, world):
    organiser_client(client, world)
    response = client.post(f"{BASE}/export", data={"first": ["1", "7", "2026"], "last": ["31", "7", "2026"]})
    [_header, row] = _rows(response)
    assert row[1] == world.recent.reference
    assert row[4] == "'=HYPERLINK(\"http://example.org\")"


@pytest.mark.parametrize("first, last, message", [
    (["1", "7", "2026"], ["1", "6", "2026"], "The end date must be the same as or after the start date"),
    (["1", "7", "9999"], ["1", "6", "2026"], "Enter a date in the years 2000 to 2100"),
    (["x", "7", "2026"], ["1", "6", "2026"], "Enter a real date"),
    (["", "", ""], ["1", "6", "2026"], "Enter the first date to include"),
])
def test_a_bad_export_period_shows_the_error_summary(client, world, first, last, message):
    organiser_client(client, world)
    response = client.post(f"{BASE}/export", data={"first": first, "last": last})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "govuk-error-summary" in response.get_data(as_text=True) and message in page_text(response)


# --- PDFs --------------------------------------------------------------------------------------------------

def test_invoice_and_credit_note_pdfs_for_organisers_and_the_agencys_admins_only(client, world):
    credit_note = issue_credit_note(world.overdue, None, "Duplicate order", today=date(2026, 5, 2))
    db.session.commit()
    invoice_url, credit_url = f"{_invoice_url(world.overdue)}.pdf", f"{BASE}/credit-notes/{credit_note.id}.pdf"
    for person in (world.organiser, world.agency_admin, world.site_admin):
        sign_in(client, person)
        response = client.get(invoice_url)
        assert response.status_code == 200 and response.mimetype == "application/pdf", person.email
        assert response.get_data().startswith(b"%PDF")
        assert 'filename="CORAM-000001.pdf"' in response.headers["Content-Disposition"]
        response = client.get(credit_url)
        assert response.status_code == 200 and 'filename="CORAM-CN-000001.pdf"' in \
            response.headers["Content-Disposition"]
        client.post("/sign-out")
    for person in (world.other_admin, world.practitioner, world.other_organiser):
        sign_in(client, person)
        assert client.get(invoice_url).status_code == 403, person.email
        assert client.get(credit_url).status_code == 403, person.email
        client.post("/sign-out")


@pytest.mark.postgres
def test_the_invoice_lists_and_the_export_sum_the_same_on_postgresql(pg_app, freezer):
    world = build_world()
    client = pg_app.test_client()
    sign_in(client, world.organiser)
    overdue = page_text(client.get(f"{BASE}/invoices?show=overdue"))
    assert world.overdue.reference in overdue and world.recent.reference not in overdue
    assert world.paid.reference not in page_text(client.get(f"{BASE}/invoices?show=unpaid"))
    response = client.post(f"{BASE}/export", data={"first": ["1", "5", "2026"], "last": ["31", "7", "2026"]})
    assert [row[:3] for row in _rows(response)[1:]] == [
        ["Invoice", "CORAM-000001", "2026-05-01"], ["Invoice", "CORAM-000003", "2026-06-01"],
        ["Payment", "", "2026-06-20"], ["Invoice", "CORAM-000002", "2026-07-10"]]
    assert _rows(response)[1][5:8] == ["150.00", "30.00", "180.00"]


def test_the_pages_and_their_error_states_are_valid_html(client, world, tmp_path):
    issue_credit_note(world.paid, None, "Agency closed", today=date(2026, 6, 25))
    db.session.commit()
    organiser_client(client, world)
    pages = PageFolder(tmp_path / "pages")
    for url in _organiser_urls(world) + [_invoice_url(world.paid), f"{BASE}/invoices?show=unpaid"]:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.save(url, response.get_data())
    pages.save("price with errors", client.post(f"{BASE}/settings/prices", data={
        "price-item": "membership", "price-amount": "1.001", "price-applies_from": ["1", "1", "9999"]}).get_data())
    pages.save("details with errors", client.post(f"{BASE}/settings", data={"legal_name": ""}).get_data())
    pages.save("overpayment to confirm", client.post(_invoice_url(world.overdue), data={
        "amount": "999", "received_on": ["10", "7", "2026"], "method": "card"}).get_data())
    pages.save("export with errors", client.post(f"{BASE}/export", data={
        "first": ["2", "7", "2026"], "last": ["1", "7", "2026"]}).get_data())
    assert pages.errors() == []
