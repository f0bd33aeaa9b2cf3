"""Buying a membership and extra places: one order, one invoice (emailed with its PDF), and what it bought;
cancelling an order credits it and ends what it bought. Fixed dates throughout."""

import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.billing.balances import organisation_balance
from ep_events.billing.models import CreditNote, Invoice, Order, OrderStatus, PaymentMethod
from ep_events.billing.payments import record_payment
from ep_events.billing.settings import update_billing_settings
from ep_events.bookings.models import PlaceStatus
from ep_events.core.errors import DomainError, NotAllowed
from ep_events.extensions import db
from ep_events.network_days.memberships import membership_for
from ep_events.network_days.models import Membership, NetworkPlace, PlaceType
from ep_events.network_days.places import accept_offered_place, name_place, offer_membership_place, offer_place
from ep_events.network_orders.purchases import buy_extra_places, buy_membership, cancel_network_order
from ep_events.organisations.models import Organisation
from tests import factories
from tests.network_orders.conftest import BILLING, NOW, network_day


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def newcomer(shop):
    """An agency that is not a member yet, with its admin and a colleague."""
    agency = factories.organisation(name="Northby Adoption Agency")
    shop.new_agency = agency
    shop.new_admin = factories.user(email="northby-admin@example.org", organisation_id=agency.id,
                                    roles=[(Role.AGENCY_ADMIN, agency)])
    shop.dara = factories.user(email="dara@example.org", name="Dara Diaz", organisation_id=agency.id)
    db.session.commit()
    return shop


def test_buying_a_membership_issues_one_invoice_emailed_with_its_pdf_and_makes_the_agency_a_member(
        newcomer, deliver):
    w = newcomer
    membership = buy_membership(w.new_admin, w.programme, w.new_agency, 2027, BILLING, now=NOW)
    db.session.commit()
    assert membership_for(w.programme, w.new_agency, 2027) is membership
    order = db.session.get(Order, membership.order_id)
    invoice = order.invoice
    assert invoice.reference == "NET-000001" and invoice.total_pence == 15000 and invoice.po_number == "PO-7781"
    assert [line.description for line in invoice.lines] == ["Network membership, 1 April 2027 to 31 March 2028"]
    assert organisation_balance(w.programme, w.new_agency) == 15000
    [sent] = [m for m in deliver() if m.recipients == ["finance@example.org"]]
    assert "NET-000001" in sent.subject and "£150.00" in sent.text
    pdf = sent.attachment("NET-000001.pdf")
    assert pdf is not None and pdf.content_type == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "NET-000001" in text and "PO-7781" in text and "150.00" in text


def test_the_membership_gives_a_place_to_name_on_each_day_of_its_year(newcomer):
    w = newcomer
    day = network_day(w, capacity=10)
    db.session.commit()
    with pytest.raises(DomainError, match="is not a member"):
        name_place(w.new_admin, day, w.new_agency, w.dara, PlaceType.MEMBERSHIP, now=NOW)
    db.session.rollback()
    buy_membership(w.new_admin, w.programme, w.new_agency, 2027, BILLING, now=NOW)
    place = name_place(w.new_admin, day, w.new_agency, w.dara, PlaceType.MEMBERSHIP, now=NOW)
    assert place.is_confirmed and place.user_id == w.dara.id


def test_an_agency_already_a_member_for_the_year_is_told_and_nothing_is_ordered(shop):
    before = (_count(Order), _count(Invoice))
    with pytest.raises(DomainError, match="Riverton City Council is already a member for 1 April 2027"):
        buy_membership(shop.admin, shop.programme, shop.agency, 2027, BILLING, now=NOW)
    db.session.rollback()
    assert (_count(Order), _count(Invoice)) == before


def test_only_the_agencys_admins_buy_for_it(newcomer):
    with pytest.raises(NotAllowed):
        buy_membership(newcomer.other_admin, newcomer.programme, newcomer.new_agency, 2027, BILLING, now=NOW)
    with pytest.raises(NotAllowed):
        buy_membership(newcomer.dara, newcomer.programme, newcomer.new_agency, 2027, BILLING, now=NOW)


@pytest.mark.parametrize("change, field", [
    ({"po_number": "P" * 51}, "po_number"),
    ({"po_number": "PO\x001"}, "po_number"),
    ({"po_number": ""}, "po_number"),
    ({"address": "x" * 100_000}, "billing_address"),
    ({"contact_email": "not-an-email"}, "billing_contact_email"),
])
def test_bad_billing_details_are_refused_and_nothing_is_saved(newcomer, change, field):
    before = (_count(Order), _count(Invoice), _count(Membership))
    with pytest.raises(DomainError) as refused:
        buy_membership(newcomer.new_admin, newcomer.programme, newcomer.new_agency, 2027,
                       replace(BILLING, **change), now=NOW)
    db.session.rollback()
    assert refused.value.field == field
    assert (_count(Order), _count(Invoice), _count(Membership)) == before


def test_no_purchase_order_is_allowed_when_the_agency_says_it_uses_none(newcomer):
    membership = buy_membership(newcomer.new_admin, newcomer.programme, newcomer.new_agency, 2027,
                                replace(BILLING, po_number="", no_po=True), now=NOW)
    assert db.session.get(Order, membership.order_id).invoice.po_number == ""


def test_extra_places_are_held_for_the_agency_until_it_names_who_comes(shop):
    day = network_day(shop, capacity=6)  # two held for the members' membership places, four to sell
    order = buy_extra_places(shop.admin, day, shop.agency, 2, BILLING, now=NOW)
    db.session.commit()
    assert order.invoice.total_pence == 30000 and order.lines[0].quantity == 2
    held = db.session.execute(select(NetworkPlace).where(
        NetworkPlace.order_line_id == order.lines[0].id)).scalars().all()
    assert len(held) == 2 and all(p.user_id is None and p.is_confirmed for p in held)
    named = name_place(shop.admin, day, shop.agency, shop.bola, PlaceType.EXTRA, now=NOW)
    assert named in held and named.user_id == shop.bola.id
    with pytest.raises(DomainError, match="Only 2 places are left"):
        buy_extra_places(shop.other_admin, day, shop.other_agency, 3, BILLING, now=NOW)


def test_a_full_day_sells_no_extra_place_and_issues_no_invoice(shop):
    day = network_day(shop, capacity=2)  # both held for the member agencies
    db.session.commit()
    before = _count(Invoice)
    with pytest.raises(DomainError, match="no places left"):
        buy_extra_places(shop.admin, day, shop.agency, 1, BILLING, now=NOW)
    db.session.rollback()
    assert _count(Invoice) == before


@pytest.mark.parametrize("quantity", [0, -1, 10_000, 2**63])
def test_silly_quantities_are_refused(shop, quantity):
    day = network_day(shop, capacity=6)
    with pytest.raises(DomainError) as refused:
        buy_extra_places(shop.admin, day, shop.agency, quantity, BILLING, now=NOW)
    assert refused.value.field == "quantity"


def test_a_place_offered_by_email_waits_until_that_person_accepts_it(shop, deliver):
    day = network_day(shop, capacity=6)
    buy_extra_places(shop.admin, day, shop.agency, 1, BILLING, now=NOW)
    [held] = db.session.execute(select(NetworkPlace).where(NetworkPlace.user_id.is_(None))).scalars().all()
    offer_place(shop.admin, held, "New.Starter@Example.org", now=NOW)
    db.session.commit()
    [offer] = [m for m in deliver() if m.recipients == ["new.starter@example.org"]]
    assert f"/network-days/offers/{held.id}" in offer.text and "Riverton City Council" in offer.text
    stranger = factories.user(email="someone-else@example.org", organisation_id=shop.agency.id)
    with pytest.raises(DomainError, match="no longer open"):
        accept_offered_place(stranger, held, now=NOW)
    newcomer = factories.user(email="new.starter@example.org", name="Nia New", organisation_id=shop.agency.id)
    accept_offered_place(newcomer, held, now=NOW)
    assert held.user_id == newcomer.id and held.invited_email is None


def test_cancelling_an_extra_place_order_credits_it_cancels_its_places_and_tells_the_person(shop, deliver):
    day = network_day(shop, capacity=6)
    order = buy_extra_places(shop.admin, day, shop.agency, 2, BILLING, now=NOW)
    name_place(shop.admin, day, shop.agency, shop.bola, PlaceType.EXTRA, now=NOW)
    record_payment(order.invoice, shop.organiser, "100.00", date(2027, 3, 5), PaymentMethod.BANK_TRANSFER, "BACS 1")
    db.session.commit()
    deliver()
    later = NOW + timedelta(days=10)
    credit_note = cancel_network_order(shop.organiser, order, "Agency cannot attend", now=later)
    db.session.commit()
    assert credit_note.reference == "NET-CN-000001" and credit_note.total_pence == 30000
    assert order.status is OrderStatus.CANCELLED
    places = db.session.execute(select(NetworkPlace).where(NetworkPlace.order_line_id == order.lines[0].id)).scalars()
    assert {p.status for p in places} == {PlaceStatus.CANCELLED}
    # Invoiced 300, credited 300, paid 100: the agency is owed 100.
    assert organisation_balance(shop.programme, shop.agency) == -10000
    [told] = [m for m in deliver() if m.recipients == ["bola@example.org"] and "cancelled" in m.subject.lower()]
    assert "order for it was cancelled" in told.text


def test_cancelling_a_membership_order_ends_the_membership_and_its_places_to_come(newcomer):
    w = newcomer
    day = network_day(w, capacity=10)
    membership = buy_membership(w.new_admin, w.programme, w.new_agency, 2027, BILLING, now=NOW)
    place = name_place(w.new_admin, day, w.new_agency, w.dara, PlaceType.MEMBERSHIP, now=NOW)
    order = db.session.get(Order, membership.order_id)
    cancel_network_order(w.organiser, order, "Joined by mistake", now=NOW)
    db.session.commit()
    assert membership_for(w.programme, w.new_agency, 2027) is None
    assert place.status is PlaceStatus.CANCELLED
    assert _count(CreditNote) == 1
    with pytest.raises(NotAllowed):
        cancel_network_order(w.new_admin, order, "again", now=NOW)
    assert db.session.get(Organisation, w.new_agency.id) is not None


def test_a_membership_place_can_be_offered_by_email_to_someone_without_an_account(shop, deliver):
    day = network_day(shop, capacity=6)
    with pytest.raises(DomainError, match="correct format"):
        offer_membership_place(shop.admin, day, shop.agency, "not an email", now=NOW)
    place = offer_membership_place(shop.admin, day, shop.agency, "Fresh.Face@example.org", now=NOW)
    db.session.commit()
    assert place.user_id is None and place.invited_email == "fresh.face@example.org" and place.is_confirmed
    with pytest.raises(DomainError, match="membership place on this Network Day is already named"):
        offer_membership_place(shop.admin, day, shop.agency, "someone@example.org", now=NOW)
    [offer] = [m for m in deliver() if m.recipients == ["fresh.face@example.org"]]
    assert "membership place" in offer.text.lower() or "one of its places" in offer.text
    person = factories.user(email="fresh.face@example.org", organisation_id=shop.agency.id)
    accept_offered_place(person, place, now=NOW)
    assert place.user_id == person.id
    # Someone with an account is named at once.
    other = offer_membership_place(shop.other_admin, day, shop.other_agency, "chen@example.org", now=NOW)
    assert other.user_id == shop.chen.id


def test_the_programmes_membership_year_start_decides_what_a_membership_covers(newcomer):
    """Set with the invoice details (billing), read by Network Days: one setting, both sides agree."""
    w = newcomer
    update_billing_settings(w.organiser, w.programme, legal_name="Coram", address="41 Brunswick Square",
                            how_to_pay="Bank transfer", membership_year_start_month=9, membership_year_start_day=1)
    june = network_day(w, capacity=10)  # 16 June 2027: in the year from 1 September 2026
    membership = buy_membership(w.new_admin, w.programme, w.new_agency, 2026, BILLING, now=NOW)
    line = db.session.get(Order, membership.order_id).lines[0]
    assert line.description == "Network membership, 1 September 2026 to 31 August 2027"
    assert name_place(w.new_admin, june, w.new_agency, w.dara, PlaceType.MEMBERSHIP, now=NOW).is_confirmed
