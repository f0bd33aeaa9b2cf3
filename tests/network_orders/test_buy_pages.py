"""The join page and an agency admin buying a membership or extra places through the pages: details, "Check your
order", "Confirm order", the invoice emailed with its PDF; a second confirm, bad input and over-capacity refused
with nothing saved; only the agency's admins and the programme's organisers may buy."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.billing.models import Invoice, Order
from ep_events.billing.settings import set_vat_rate
from ep_events.extensions import db
from ep_events.network_days.memberships import membership_for
from ep_events.network_days.models import NetworkPlace, PlaceType
from ep_events.notifications.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in
from tests.crawl import links_in
from tests.html_validator import PageFolder
from tests.network_orders.conftest import NOW, build_world, network_day

JOIN = "/network-days/coram-network/join"
YEAR_2027 = "1 April 2027 to 31 March 2028"
YEAR_2026 = "1 April 2026 to 31 March 2027"


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def hidden_fields(page: str, action: str) -> dict:
    """The hidden fields of the review page's form posting to `action` (what "Confirm order" sends)."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S).group(1)
    return {name: html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form)
            if name != "csrf_token"}


def signed_in_as(client, person) -> None:
    client.post("/sign-out")
    sign_in(client, person)


def count(model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


@pytest.fixture(autouse=True)
def buy_frozen_clock():
    with freeze_time(NOW):
        yield


@pytest.fixture
def buy_world(shop):
    """`shop` plus its June 2027 day (3 places: 2 held for the member agencies' unnamed membership places, so 1
    free) and Westmere, an agency that is not a member yet, with its admin."""
    shop.day = network_day(shop)
    shop.westmere = factories.organisation(name="Westmere District Council")
    shop.westmere_admin = factories.user(email="westmere-admin@example.org", organisation_id=shop.westmere.id,
                                         roles=[(Role.AGENCY_ADMIN, shop.westmere)])
    db.session.commit()
    return shop


def membership_url(world, agency=None, page="new") -> str:
    return f"/network-days/coram-network/agencies/{(agency or world.westmere).id}/membership/{page}"


def places_url(world, agency=None, page="new") -> str:
    return f"/network-days/coram-network/days/{world.day.id}/agencies/{(agency or world.agency).id}/places/{page}"


BILLING_FORM = {"billing_contact_name": "Finance Team", "billing_contact_email": "finance@example.org",
                "billing_address": "1 High Street\nWestmere WM1 1AA", "po_number": "PO-7781"}


def membership_form(**changes) -> dict:
    return {"membership_year": "2027", **BILLING_FORM} | changes


def places_form(**changes) -> dict:
    return {"quantity": "1", **BILLING_FORM} | changes


# --- The join page ------------------------------------------------------------------------------------------

def test_the_join_page_shows_the_days_and_todays_prices_with_vat(client, buy_world):
    set_vat_rate(buy_world.organiser, buy_world.programme, "20", date(2027, 1, 1))
    network_day(buy_world, day=date(2027, 10, 13), title="Online catch-up", venue="",
                online_url="https://teams.microsoft.com/l/meetup-join/example")
    db.session.commit()
    response = client.get(JOIN)
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    assert "Join the Coram EP Network" in page
    assert "Membership gives your agency one place at each Network Day of that membership year" in page
    assert f"Network Days, membership year {YEAR_2027}" in page
    assert "Wednesday 16 June 2027 Legal updates and pre-birth planning In person" in page
    assert "Wednesday 13 October 2027 Online catch-up Online" in page
    assert "Membership, for one membership year £150.00 £30.00 (20%) £180.00" in page
    assert "Extra place at one Network Day £150.00 £30.00 (20%) £180.00" in page
    assert "Ask your agency's admin" in page and "sign in" in page
    assert "Buy membership" not in page


def test_before_the_vat_rate_applies_the_join_page_shows_no_vat(client, buy_world):
    set_vat_rate(buy_world.organiser, buy_world.programme, "20", date(2027, 4, 1))
    db.session.commit()
    page = text_of(client.get(JOIN).get_data(as_text=True))
    assert "Membership, for one membership year £150.00 £0.00 (0%) £150.00" in page


def test_without_prices_the_join_page_says_prices_are_to_be_confirmed(client, app):
    build_world()
    page = text_of(client.get(JOIN).get_data(as_text=True))
    assert "Prices to be confirmed" in page and "£" not in page


def test_the_public_days_page_links_to_the_join_page(client, buy_world):
    page = client.get("/network-days/coram-network").get_data(as_text=True)
    assert f'href="{JOIN}"' in page and "Join the Coram EP Network" in page


def test_an_agency_admin_sees_buy_buttons_for_the_years_their_agency_is_not_a_member(client, buy_world):
    signed_in_as(client, buy_world.westmere_admin)
    page = client.get(JOIN).get_data(as_text=True)
    assert text_of(page).count("Buy membership for Westmere District Council") == 2
    assert f'href="{membership_url(buy_world)}?year=2027"' in page
    assert f'href="{membership_url(buy_world)}?year=2026"' in page

    signed_in_as(client, buy_world.admin)  # Riverton is a member for 2027 already
    page = text_of(client.get(JOIN).get_data(as_text=True))
    assert f"Buy membership for Riverton City Council ({YEAR_2026})" in page
    assert f"Buy membership for Riverton City Council ({YEAR_2027})" not in page
    assert f"Riverton City Council is a member for {YEAR_2027}" in page
    assert "Buy extra places at Legal updates and pre-birth planning" in page

    signed_in_as(client, buy_world.alice)  # not an admin
    page = text_of(client.get(JOIN).get_data(as_text=True))
    assert "Buy membership" not in page and "Ask your agency's admin" in page


# --- Buying a membership end to end ---------------------------------------------------------------------------

def test_an_agency_admin_buys_the_membership_and_the_invoice_arrives_with_its_pdf(client, buy_world, deliver):
    set_vat_rate(buy_world.organiser, buy_world.programme, "20", date(2027, 1, 1))
    db.session.commit()
    signed_in_as(client, buy_world.westmere_admin)
    form_page = client.get(membership_url(buy_world) + "?year=2027")
    assert form_page.status_code == 200
    assert 'value="2027" checked' in form_page.get_data(as_text=True)

    review = client.post(membership_url(buy_world), data=membership_form())
    assert review.status_code == 200
    page = review.get_data(as_text=True)
    body = text_of(page)
    assert "Check your order" in body
    assert f"Network membership, {YEAR_2027} 1 £150.00 £150.00" in body
    assert "VAT at 20% £30.00" in body and "Total £180.00" in body
    assert "Finance Team" in body and "finance@example.org" in body and "PO-7781" in body
    assert "1 High Street<br>Westmere WM1 1AA" in page
    assert count(Order) == 0 and count(OutboxMessage) == 0  # nothing yet

    confirm_action = membership_url(buy_world, page="confirm")
    carried = hidden_fields(page, confirm_action)
    assert carried["billing_address"] == "1 High Street\nWestmere WM1 1AA"
    confirmed = client.post(confirm_action, data=carried)
    assert confirmed.status_code == 302
    invoice = db.session.execute(select(Invoice)).scalar_one()
    assert membership_for(buy_world.programme, buy_world.westmere, 2027).order_id == invoice.order_id

    done_page = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert f'href="/network-days/coram-network/agencies/{buy_world.westmere.id}"' in done_page
    done = text_of(done_page)
    assert "Order confirmed" in done and invoice.reference in done and invoice.reference.startswith("NET-")
    assert "£180.00" in done and "We have emailed the invoice to Finance Team at finance@example.org" in done
    pdf = client.get(f"/billing/coram-network/invoices/{invoice.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"

    [message] = [m for m in deliver() if m.recipients == ["finance@example.org"]]
    [attachment] = message.attachments
    assert attachment.filename == f"{invoice.reference}.pdf" and attachment.data.startswith(b"%PDF")


def test_the_next_order_is_pre_filled_from_the_agencys_last_order(client, buy_world):
    signed_in_as(client, buy_world.westmere_admin)
    page = client.post(membership_url(buy_world), data=membership_form()).get_data(as_text=True)
    client.post(membership_url(buy_world, page="confirm"),
                data=hidden_fields(page, membership_url(buy_world, page="confirm")))
    again = client.get(membership_url(buy_world)).get_data(as_text=True)
    assert 'value="Finance Team"' in again and 'value="finance@example.org"' in again
    assert "1 High Street\nWestmere WM1 1AA</textarea>" in again
    assert f"Westmere District Council is a member for {YEAR_2027}" in text_of(again)
    assert 'value="2027"' not in again and 'value="2026"' in again  # only the year not held is offered


def test_a_second_confirm_is_told_the_agency_is_already_a_member_and_gets_no_second_invoice(
        client, buy_world, deliver):
    signed_in_as(client, buy_world.westmere_admin)
    page = client.post(membership_url(buy_world), data=membership_form()).get_data(as_text=True)
    carried = hidden_fields(page, membership_url(buy_world, page="confirm"))
    assert client.post(membership_url(buy_world, page="confirm"), data=carried).status_code == 302
    outbox = count(OutboxMessage)

    second_admin = factories.user(email="westmere-admin-2@example.org", organisation_id=buy_world.westmere.id,
                                  roles=[(Role.AGENCY_ADMIN, buy_world.westmere)])
    db.session.commit()
    for person in (buy_world.westmere_admin, second_admin):  # the double click, and the colleague's old page
        signed_in_as(client, person)
        again = client.post(membership_url(buy_world, page="confirm"), data=carried)
        assert again.status_code == 400
        body = text_of(again.get_data(as_text=True))
        assert "There is a problem" in body
        assert f"Westmere District Council is already a member for {YEAR_2027}" in body
    assert count(Invoice) == 1 and count(Order) == 1 and count(OutboxMessage) == outbox
    # the review step says so too, before anything is confirmed
    body = text_of(client.post(membership_url(buy_world), data=membership_form()).get_data(as_text=True))
    assert f"Westmere District Council is already a member for {YEAR_2027}" in body


BAD_BILLING = [
    ({"po_number": "P" * 51}, "Purchase order number must be 50 characters or fewer"),
    ({"po_number": "PO\x07123"}, "Purchase order number must not contain control characters"),
    ({"po_number": ""}, "Enter the purchase order number, or tick “We do not use purchase orders”"),
    ({"billing_address": "A" * 100_000}, "Billing address must be 2,000 characters or fewer"),
    ({"billing_address": ""}, "Enter the billing address"),
    ({"billing_contact_email": "not-an-email"}, "Enter an email address in the correct format"),
    ({"billing_contact_email": "finance@example.org\r\nBcc: x@example.org"}, "must not contain control characters"),
    ({"billing_contact_name": ""}, "Enter the billing contact’s name"),
    ({"membership_year": "2031"}, "Choose the membership year"),
    ({"membership_year": str(2**63)}, "Choose the membership year"),
    ({"membership_year": "abc"}, "Choose the membership year"),
]


@pytest.mark.parametrize("page", ["new", "confirm"])
@pytest.mark.parametrize(("changes", "message"), BAD_BILLING)
def test_bad_membership_details_are_refused_with_the_error_summary_and_nothing_is_saved(
        client, buy_world, page, changes, message):
    signed_in_as(client, buy_world.westmere_admin)
    response = client.post(membership_url(buy_world, page=page), data=membership_form(**changes))
    assert response.status_code == 400
    body = text_of(response.get_data(as_text=True))
    assert "There is a problem" in body and message in body
    assert "Check your order" not in body
    assert count(Order) == 0 and count(OutboxMessage) == 0
    assert membership_for(buy_world.programme, buy_world.westmere, 2027) is None


def test_a_nul_byte_is_refused_and_nothing_is_saved(client, buy_world):
    signed_in_as(client, buy_world.westmere_admin)
    for page in ("new", "confirm"):
        response = client.post(membership_url(buy_world, page=page), data=membership_form(po_number="PO\x001"))
        assert response.status_code == 400
    assert count(Order) == 0 and count(OutboxMessage) == 0


def test_no_po_number_is_needed_when_the_agency_does_not_use_purchase_orders(client, buy_world):
    signed_in_as(client, buy_world.westmere_admin)
    page = client.post(membership_url(buy_world), data=membership_form(po_number="", no_po="y"))
    assert page.status_code == 200
    html_page = page.get_data(as_text=True)
    assert "We do not use purchase orders" in text_of(html_page)
    carried = hidden_fields(html_page, membership_url(buy_world, page="confirm"))
    assert client.post(membership_url(buy_world, page="confirm"), data=carried).status_code == 302
    order = db.session.execute(select(Order)).scalar_one()
    assert order.no_po and order.po_number == ""


def test_change_on_the_review_page_shows_the_details_again_as_typed(client, buy_world):
    signed_in_as(client, buy_world.westmere_admin)
    response = client.post(membership_url(buy_world), data=membership_form(change="1"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Buy membership" in page and 'value="PO-7781"' in page and "Check your order" not in page


# --- Extra places ----------------------------------------------------------------------------------------------

def test_an_agency_admin_buys_the_last_extra_place_and_then_the_day_says_it_is_full(client, buy_world, deliver):
    signed_in_as(client, buy_world.admin)
    form_page = text_of(client.get(places_url(buy_world)).get_data(as_text=True))
    assert "Buy extra places" in form_page and "Places free 1" in form_page

    review = client.post(places_url(buy_world), data=places_form())
    assert review.status_code == 200
    page = review.get_data(as_text=True)
    assert "Extra place at Legal updates and pre-birth planning, Wednesday 16 June 2027 1 £150.00" in text_of(page)
    carried = hidden_fields(page, places_url(buy_world, page="confirm"))
    confirmed = client.post(places_url(buy_world, page="confirm"), data=carried)
    assert confirmed.status_code == 302
    invoice = db.session.execute(select(Invoice)).scalar_one()
    done = text_of(client.get(confirmed.headers["Location"]).get_data(as_text=True))
    assert invoice.reference in done and "£150.00" in done
    assert "name who takes the places from your agency's page" in done.lower()
    held = db.session.execute(select(NetworkPlace).where(NetworkPlace.place_type == PlaceType.EXTRA)).scalars().all()
    assert [(p.agency_id, p.user_id) for p in held] == [(buy_world.agency.id, None)]
    assert [m.recipients for m in deliver()] == [["finance@example.org"]]

    full = text_of(client.get(places_url(buy_world)).get_data(as_text=True))
    assert "This Network Day is full" in full
    assert "Join the waiting list" in full
    again = client.post(places_url(buy_world, page="confirm"), data=carried)
    assert again.status_code == 400
    assert "There is a problem" in text_of(again.get_data(as_text=True))
    assert count(Invoice) == 1 and count(Order) == 1


@pytest.mark.parametrize("page", ["new", "confirm"])
@pytest.mark.parametrize(("quantity", "message"), [
    ("0", "Only 1 place is left: enter 1"), ("-1", "Only 1 place is left: enter 1"),
    ("2", "Only 1 place is left: enter 1"), ("10000", "Only 1 place is left: enter 1"),
    (str(2**63), "Only 1 place is left: enter 1"), ("abc", "Only 1 place is left: enter 1"),
    ("1" * 5000, "Only 1 place is left: enter 1"), ("", "Enter the number of extra places"),
])
def test_bad_quantities_are_refused_and_nothing_is_saved(client, buy_world, page, quantity, message):
    signed_in_as(client, buy_world.admin)
    response = client.post(places_url(buy_world, page=page), data=places_form(quantity=quantity))
    assert response.status_code == 400
    body = text_of(response.get_data(as_text=True))
    assert "There is a problem" in body and message in body
    assert count(Order) == 0 and count(OutboxMessage) == 0 and count(NetworkPlace) == 0


def test_with_more_room_the_quantity_is_bounded_by_the_free_places(client, buy_world):
    buy_world.day.capacity = 12  # 2 held for members: 10 free
    db.session.commit()
    signed_in_as(client, buy_world.admin)
    response = client.post(places_url(buy_world), data=places_form(quantity="11"))
    assert response.status_code == 400 and "Enter a number of places from 1 to 10" in text_of(
        response.get_data(as_text=True))
    review = text_of(client.post(places_url(buy_world), data=places_form(quantity="10")).get_data(as_text=True))
    assert "Check your order" in review and "10 £150.00 £1,500.00" in review


def test_buying_places_is_closed_once_the_day_has_started(client, buy_world):
    with freeze_time(datetime(2027, 6, 16, 10, 30, tzinfo=UTC)):
        signed_in_as(client, buy_world.admin)
        body = text_of(client.get(places_url(buy_world)).get_data(as_text=True))
        assert "you can no longer buy places" in body
        assert client.post(places_url(buy_world, page="confirm"), data=places_form()).status_code == 400
    assert count(Order) == 0


# --- Who may buy ---------------------------------------------------------------------------------------------

def test_only_the_agencys_admins_and_the_programmes_organisers_may_buy_for_it(client, buy_world):
    urls = [membership_url(buy_world, buy_world.agency), places_url(buy_world)]
    for url in urls:  # anonymous visitors sign in first
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    for person in (buy_world.other_admin, buy_world.alice, buy_world.westmere_admin):
        signed_in_as(client, person)
        for url in urls:
            assert client.get(url).status_code == 403
        for url in (membership_url(buy_world, buy_world.agency, "confirm"), places_url(buy_world, page="confirm")):
            assert client.post(url, data=places_form() | membership_form(membership_year="2026")).status_code == 403
    assert count(Order) == 0
    signed_in_as(client, buy_world.organiser)
    for url in urls:
        assert client.get(url).status_code == 200


def test_unknown_agencies_days_and_other_programmes_days_are_not_found(client, buy_world):
    other = factories.programme(kind="network_days", slug="other-network")
    organiser = factories.user(email="other-organiser@example.org", roles=[(Role.ORGANISER, other)])
    db.session.commit()
    signed_in_as(client, buy_world.admin)
    assert client.get("/network-days/coram-network/agencies/999999/membership/new").status_code == 404
    assert client.get(f"/network-days/coram-network/days/999999/agencies/{buy_world.agency.id}/places/new"
                      ).status_code == 404
    assert client.get(f"/network-days/other-network/days/{buy_world.day.id}/agencies/{buy_world.agency.id}"
                      "/places/new").status_code in (403, 404)
    signed_in_as(client, organiser)
    assert client.get(f"/network-days/other-network/days/{buy_world.day.id}/agencies/{buy_world.agency.id}"
                      "/places/new").status_code == 404
    assert client.get("/network-days/surgeries/join").status_code == 404


def test_an_order_confirmation_is_only_for_the_agency_that_placed_it(client, buy_world):
    signed_in_as(client, buy_world.westmere_admin)
    page = client.post(membership_url(buy_world), data=membership_form()).get_data(as_text=True)
    done = client.post(membership_url(buy_world, page="confirm"),
                       data=hidden_fields(page, membership_url(buy_world, page="confirm"))).headers["Location"]
    assert client.get(done).status_code == 200
    signed_in_as(client, buy_world.admin)
    assert client.get(done).status_code == 403
    order = db.session.execute(select(Order)).scalar_one()
    assert client.get(f"/network-days/coram-network/agencies/{buy_world.agency.id}/orders/{order.id}/confirmed"
                      ).status_code == 404


def test_confirming_orders_is_rate_limited_per_person(app, client, buy_world):
    app.config["NETWORK_ORDER_LIMIT_PER_PERSON"] = "3 per hour"
    signed_in_as(client, buy_world.westmere_admin)
    for _ in range(3):
        assert client.post(membership_url(buy_world, page="confirm"),
                           data=membership_form(po_number="")).status_code == 400
    response = client.post(membership_url(buy_world, page="confirm"), data=membership_form())
    assert response.status_code == 429 and "Too many attempts" in response.get_data(as_text=True)
    assert count(Order) == 0


# --- The pages are valid HTML, including those the link crawl cannot reach (they answer POSTs) ---------------

def test_the_buying_pages_are_valid_html(app, client, buy_world, tmp_path):
    signed_in_as(client, buy_world.westmere_admin)
    app.config["WTF_CSRF_ENABLED"] = True  # as served: the CSRF fields are part of the pages
    pages = PageFolder(tmp_path / "pages")
    pages.save("join", client.get(JOIN).get_data())
    form_page = client.get(membership_url(buy_world)).get_data(as_text=True)
    pages.save("membership form", form_page)
    token = links_in(form_page).csrf_token
    failed = client.post(membership_url(buy_world), data=membership_form(po_number="", csrf_token=token))
    assert failed.status_code == 400
    pages.save("membership form with errors", failed.get_data())
    review = client.post(membership_url(buy_world), data=membership_form(csrf_token=token)).get_data(as_text=True)
    pages.save("review", review)
    done = client.post(membership_url(buy_world, page="confirm"),
                       data=hidden_fields(review, membership_url(buy_world, page="confirm")) | {"csrf_token": token})
    assert done.status_code == 302
    pages.save("confirmed", client.get(done.headers["Location"]).get_data())
    pages.save("places form", client.get(places_url(buy_world, buy_world.westmere)).get_data())
    buy_world.day.capacity = 2
    db.session.commit()
    pages.save("places full", client.get(places_url(buy_world, buy_world.westmere)).get_data())
    errors = pages.errors()
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def test_what_was_typed_is_shown_as_text_on_the_review_page(client, buy_world):
    signed_in_as(client, buy_world.westmere_admin)
    page = client.post(membership_url(buy_world), data=membership_form(
        billing_address="<b>1</b> High Street\nWestmere", po_number='PO"><script>')).get_data(as_text=True)
    assert "&lt;b&gt;1&lt;/b&gt; High Street<br>Westmere" in page
    assert "<script>" not in page.split("</header>")[1].replace("<script>document.body", "")
    carried = hidden_fields(page, membership_url(buy_world, page="confirm"))
    assert carried["po_number"] == 'PO"><script>'
