"""The agency's account page (memberships, EP Champion, places, money) and its pages to name, change and
cancel places: what an agency admin sees, the emails that go, who may see them, and bad input."""

import re
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import event, select

from ep_events.billing.models import BillingItem, Invoice, PaymentMethod
from ep_events.billing.payments import record_payment
from ep_events.billing.settings import set_price, update_billing_settings
from ep_events.bookings.models import PlaceStatus
from ep_events.extensions import db
from ep_events.network_days.memberships import name_champion
from ep_events.network_days.models import NetworkPlace, PlaceType
from ep_events.network_days.places import name_place
from ep_events.network_orders.purchases import BillingDetails, buy_extra_places, buy_membership, cancel_network_order
from tests import factories
from tests.conftest import sign_in
from tests.network_days.conftest import NOW, build_world, network_day

AFTER_DEADLINE = datetime(2027, 6, 14, 9, 1, tzinfo=UTC)  # renaming for the 16 June day closed at 9am UTC
ACCOUNT_BILLING = BillingDetails(contact_name="Finance Team", contact_email="finance@example.org",
                                 address="1 High Street\nRiverton RT1 1AA", po_number="PO-7781")


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def frozen_account_clock():
    with freeze_time(NOW):
        yield


@pytest.fixture
def account_world(app, frozen_account_clock):
    """The Network world with prices (£150, no VAT) and a published 16 June 2027 day with room."""
    w = build_world()
    update_billing_settings(w.organiser, w.programme, legal_name="Coram", address="41 Brunswick Square\nLondon",
                            charity_number="312278", how_to_pay="Bank transfer", invoice_prefix="NET-",
                            credit_note_prefix="NET-CN-")
    set_price(w.organiser, w.programme, BillingItem.MEMBERSHIP, "150.00", date(2026, 1, 1))
    set_price(w.organiser, w.programme, BillingItem.EXTRA_PLACE, "150.00", date(2026, 1, 1))
    w.day = network_day(w, capacity=10)
    db.session.commit()
    w.url = f"/network-days/coram-network/agencies/{w.agency.id}"
    return w


def delivered(deliver, mailbox) -> list:
    """The messages delivered since the last call (the loopback server keeps them all until cleared)."""
    messages = deliver()
    mailbox.clear()
    return messages


def _seed_money(w):
    """A membership for this year with a part payment, one extra place held, one extra place cancelled."""
    membership = buy_membership(w.admin, w.programme, w.agency, 2026, ACCOUNT_BILLING, now=NOW)
    kept = buy_extra_places(w.admin, w.day, w.agency, 1, ACCOUNT_BILLING, now=NOW)
    dropped = buy_extra_places(w.admin, w.day, w.agency, 1, ACCOUNT_BILLING, now=NOW)
    db.session.flush()
    invoices = {i.order_id: i for i in db.session.execute(select(Invoice)).scalars()}
    record_payment(invoices[membership.order_id], w.organiser, "50.00", date(2027, 3, 2), PaymentMethod.BANK_TRANSFER)
    credit_note = cancel_network_order(w.organiser, dropped, "Ordered twice", now=NOW)
    db.session.commit()
    return invoices[membership.order_id], invoices[kept.id], invoices[dropped.id], credit_note


def test_the_account_page_shows_memberships_champion_places_and_money(client, account_world, deliver, mailbox):
    w = account_world
    membership_invoice, kept_invoice, dropped_invoice, credit_note = _seed_money(w)
    name_place(w.admin, w.day, w.agency, w.alice, PlaceType.MEMBERSHIP, now=NOW)
    name_champion(w.admin, w.programme, w.agency, w.bola)
    db.session.commit()
    sign_in(client, w.admin)
    response = client.get(w.url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text_of(html)
    assert "1 April 2026 to 31 March 2027 (this year) Member" in page
    assert "1 April 2027 to 31 March 2028 (next year) Member" in page
    assert "Buy membership" not in page
    assert "Riverton City Council’s EP Champion is Bola Bello (bola@example.org)" in page
    assert "Legal updates and pre-birth planning: Wednesday 16 June 2027" in page
    assert "Membership place Alice Adams" in page and "Extra place Held, not named yet" in page
    assert page.count("Extra place Held") == 1  # the cancelled order's place went with it
    assert "Balance owed: £250.00" in page  # 3 × £150 invoiced, £150 credited, £50 paid
    assert f"{membership_invoice.reference} Network membership, 1 April 2026 to 31 March 2027 PO-7781 " \
           "1 March 2027 31 March 2027 £150.00 £100.00" in page
    assert f"{kept_invoice.reference} Extra place at Legal updates" in page
    assert "Order cancelled" in page
    assert f'href="/billing/coram-network/invoices/{membership_invoice.id}.pdf"' in html
    assert f"{credit_note.reference} {dropped_invoice.reference}" in page and "Ordered twice £150.00" in page
    assert f'href="/billing/coram-network/credit-notes/{credit_note.id}.pdf"' in html
    assert f"2 March 2027 {membership_invoice.reference} Bank transfer £50.00" in page
    pdf = client.get(f"/billing/coram-network/invoices/{membership_invoice.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_an_agency_not_yet_a_member_is_offered_the_membership(client, account_world):
    sign_in(client, account_world.admin)
    page = client.get(account_world.url).get_data(as_text=True)
    assert "1 April 2026 to 31 March 2027 (this year) Not a member Buy membership" in text_of(page)
    assert "Balance: nothing owed" in text_of(page)
    assert "/membership/new?year=2026" in page
    assert "Riverton City Council has not named its EP Champion yet" in text_of(page)


def test_the_admin_names_the_ep_champion_from_the_agency_only(client, account_world):
    w = account_world
    sign_in(client, w.admin)
    refused = client.post(f"{w.url}/champion", data={"champion": str(w.chen.id)})  # another agency's person
    assert refused.status_code == 400 and "Choose your EP Champion" in text_of(refused.get_data(as_text=True))
    response = client.post(f"{w.url}/champion", data={"champion": str(w.bola.id)}, follow_redirects=True)
    assert "Bola Bello is now Riverton City Council’s EP Champion" in text_of(response.get_data(as_text=True))
    assert "EP Champion is Bola Bello" in text_of(client.get(w.url).get_data(as_text=True))


def test_naming_a_colleague_sends_them_an_invite_with_the_calendar_entry(client, account_world, deliver, mailbox):
    w = account_world
    sign_in(client, w.admin)
    form = client.get(f"{w.url}/days/{w.day.id}/name")
    assert form.status_code == 200 and "Alice Adams" in text_of(form.get_data(as_text=True))
    response = client.post(f"{w.url}/days/{w.day.id}/name", data={"person": str(w.alice.id)})
    assert response.status_code == 302
    page = text_of(client.get(w.url).get_data(as_text=True))
    assert "Alice Adams is named on the membership place" in page and "Membership place Alice Adams" in page
    [invite] = delivered(deliver, mailbox)
    assert invite.recipients == ["alice@example.org"]
    assert "METHOD:REQUEST" in invite.part("text/calendar")


def test_a_place_offered_by_email_is_accepted_by_the_newcomer_once_they_have_an_account(client, account_world,
                                                                                         deliver, mailbox):
    w = account_world
    buy_extra_places(w.admin, w.day, w.agency, 1, ACCOUNT_BILLING, now=NOW)
    db.session.commit()
    delivered(deliver, mailbox)  # the invoice email
    held = db.session.execute(select(NetworkPlace).where(NetworkPlace.place_type == PlaceType.EXTRA)).scalar_one()
    sign_in(client, w.admin)
    response = client.post(f"{w.url}/places/{held.id}/name",
                           data={"person": "someone-else", "email": "newcomer@example.org"})
    assert response.status_code == 302
    page = text_of(client.get(w.url).get_data(as_text=True))
    assert "Extra place Offered to newcomer@example.org (not accepted yet)" in page
    [offer] = delivered(deliver, mailbox)
    assert offer.recipients == ["newcomer@example.org"]
    link = re.search(r"http://\S+/network-days/offers/(\d+)", offer.text)
    assert link and int(link.group(1)) == held.id
    newcomer = factories.user(email="newcomer@example.org", name="Nia Newcomer")  # they create an account
    db.session.commit()
    client.post("/sign-out")
    sign_in(client, newcomer)
    accepted = client.post(f"/network-days/offers/{held.id}", data={})
    assert accepted.status_code == 302
    db.session.refresh(held)
    assert held.user_id == newcomer.id and held.invited_email is None
    client.post("/sign-out")
    sign_in(client, w.admin)
    assert "Extra place Nia Newcomer" in text_of(client.get(w.url).get_data(as_text=True))


def test_changing_and_cancelling_a_named_place(client, account_world, deliver, mailbox):
    w = account_world
    place = name_place(w.admin, w.day, w.agency, w.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    delivered(deliver, mailbox)
    sign_in(client, w.admin)
    assert client.post(f"{w.url}/places/{place.id}/name", data={"person": str(w.bola.id)}).status_code == 302
    renamed = db.session.execute(select(NetworkPlace).where(NetworkPlace.user_id == w.bola.id)).scalar_one()
    assert sorted(m.recipients[0] for m in delivered(deliver, mailbox)) == ["alice@example.org", "bola@example.org"]
    confirm = client.get(f"{w.url}/places/{renamed.id}/cancel")
    assert "Are you sure you want to cancel this place?" in text_of(confirm.get_data(as_text=True))
    assert client.post(f"{w.url}/places/{renamed.id}/cancel", data={"reason": "Training clash"}).status_code == 302
    db.session.refresh(renamed)
    assert renamed.status is PlaceStatus.CANCELLED
    [cancelled] = delivered(deliver, mailbox)
    assert cancelled.recipients == ["bola@example.org"] and "Training clash" in cancelled.text
    assert "Membership place Not named yet" in text_of(client.get(w.url).get_data(as_text=True))


@pytest.mark.parametrize("data, message", [
    ({}, "Choose who takes the place"),
    ({"person": "chen"}, "Choose who takes the place"),
    ({"person": str(2**63)}, "Choose who takes the place"),
    ({"person": "someone-else", "email": ""}, "Enter the email address of the person to offer the place to"),
    ({"person": "someone-else", "email": "not an address"}, "Enter an email address in the correct format"),
    ({"person": "someone-else", "email": "x" * 400 + "@example.org"}, "320 characters or fewer"),
])
def test_bad_input_shows_the_error_summary_and_changes_nothing(client, account_world, deliver, mailbox, data,
                                                              message):
    w = account_world
    if data.get("person") == "chen":
        data = {"person": str(w.chen.id)}  # another agency's person, by tampering with the form
    sign_in(client, w.admin)
    response = client.post(f"{w.url}/days/{w.day.id}/name", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "govuk-error-summary" in body and message in text_of(body)
    assert db.session.execute(select(NetworkPlace)).first() is None
    assert delivered(deliver, mailbox) == []


def test_a_nul_byte_or_a_huge_id_changes_nothing(client, account_world, deliver, mailbox):
    w = account_world
    sign_in(client, w.admin)
    assert client.post(f"{w.url}/days/{w.day.id}/name", data={"person": f"{w.alice.id}\x00"}).status_code == 400
    assert client.get(f"/network-days/coram-network/agencies/{2**63}").status_code == 404
    assert client.get(f"{w.url}/days/{2**63}/name").status_code == 404
    assert client.get(f"{w.url}/places/{2**31}/name").status_code == 404
    assert db.session.execute(select(NetworkPlace)).first() is None and delivered(deliver, mailbox) == []


def test_after_the_rename_deadline_only_the_organisers_can_change_places(client, account_world, deliver, mailbox):
    w = account_world
    place = name_place(w.admin, w.day, w.agency, w.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    delivered(deliver, mailbox)
    with freeze_time(AFTER_DEADLINE):
        sign_in(client, w.admin)
        page = text_of(client.get(f"{w.url}/places/{place.id}/name").get_data(as_text=True))
        assert "Only the organisers can change them now: email them at ep-network@example.org" in page
        refused = client.post(f"{w.url}/places/{place.id}/name", data={"person": str(w.bola.id)})
        assert refused.status_code == 400
        assert "Email the organisers at ep-network@example.org" in text_of(refused.get_data(as_text=True))
        client.post("/sign-out")
        sign_in(client, w.organiser)
        assert client.post(f"{w.url}/places/{place.id}/name", data={"person": str(w.bola.id)}).status_code == 302
    assert db.session.execute(select(NetworkPlace.user_id).where(
        NetworkPlace.status == PlaceStatus.CONFIRMED)).scalar_one() == w.bola.id


def test_only_the_agencys_admins_and_the_organisers_see_the_account(client, account_world):
    w = account_world
    assert client.get(w.url).status_code == 302  # sign in first
    for person, status in ((w.other_admin, 403), (w.alice, 403), (w.organiser, 200), (w.admin, 200)):
        sign_in(client, person)
        assert client.get(w.url).status_code == status, person.email
        assert client.get(f"{w.url}/days/{w.day.id}/name").status_code == status
        client.post("/sign-out")
    other_place = name_place(w.other_admin, w.day, w.other_agency, w.chen, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    sign_in(client, w.admin)
    # Another agency's place through this agency's address is not found; so is another kind's programme.
    assert client.get(f"{w.url}/places/{other_place.id}/name").status_code == 404
    assert client.get(f"{w.url}/places/{other_place.id}/cancel").status_code == 404
    factories.surgery_programme(slug="mtc")
    db.session.commit()
    assert client.get(f"/network-days/mtc/agencies/{w.agency.id}").status_code == 404


def _count_statements(client, url) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_account_page_reads_a_fixed_number_of_statements_whatever_the_agency_holds(client, account_world):
    w = account_world
    buy_membership(w.admin, w.programme, w.agency, 2026, ACCOUNT_BILLING, now=NOW)
    buy_extra_places(w.admin, w.day, w.agency, 1, ACCOUNT_BILLING, now=NOW)
    name_place(w.admin, w.day, w.agency, w.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    sign_in(client, w.admin)
    client.get(w.url)
    small = _count_statements(client, w.url)

    # Three more days, more people, orders, payments, credit notes and places.
    more_days = [network_day(w, capacity=20, day=date(2027, 6, d), title=f"Day {d}") for d in (21, 22, 23)]
    colleagues = [factories.user(email=f"colleague{n}@example.org", organisation_id=w.agency.id) for n in range(6)]
    for n, day in enumerate(more_days):
        order = buy_extra_places(w.admin, day, w.agency, 3, ACCOUNT_BILLING, now=NOW)
        name_place(w.admin, day, w.agency, colleagues[n], PlaceType.MEMBERSHIP, now=NOW)
        name_place(w.admin, day, w.agency, colleagues[n + 3], PlaceType.EXTRA, now=NOW)
        invoice = db.session.execute(select(Invoice).where(Invoice.order_id == order.id)).scalar_one()
        record_payment(invoice, w.organiser, "10.00", date(2027, 3, 2), PaymentMethod.CHEQUE)
        record_payment(invoice, w.organiser, "20.00", date(2027, 3, 3), PaymentMethod.CARD)
        if n == 0:
            cancel_network_order(w.organiser, order, "Changed plans", now=NOW)
    name_champion(w.admin, w.programme, w.agency, w.bola)
    db.session.commit()
    larger = _count_statements(client, w.url)
    assert "Day 23" in client.get(w.url).get_data(as_text=True)
    assert larger == small, (small, larger)


def test_naming_and_offering_places_draw_on_the_shared_email_budget(app, client, account_world, deliver, mailbox):
    w = account_world
    app.config["EMAIL_LIMIT_PER_PERSON"] = "1 per hour"
    buy_extra_places(w.admin, w.day, w.agency, 1, ACCOUNT_BILLING, now=NOW)
    db.session.commit()
    delivered(deliver, mailbox)
    held = db.session.execute(select(NetworkPlace).where(NetworkPlace.place_type == PlaceType.EXTRA)).scalar_one()
    sign_in(client, w.admin)
    assert client.post(f"{w.url}/days/{w.day.id}/name", data={"person": str(w.alice.id)}).status_code == 302
    blocked = client.post(f"{w.url}/places/{held.id}/name",
                          data={"person": "someone-else", "email": "newcomer@example.org"})
    assert blocked.status_code == 429
    assert [m.recipients for m in delivered(deliver, mailbox)] == [["alice@example.org"]]
