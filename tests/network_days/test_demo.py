"""The Network Days demo: three published days, member agencies with invoices (one overdue), loaded once."""

import re

from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.accounts.models import User
from ep_events.billing import demo as billing_demo
from ep_events.billing.balances import overdue_invoices
from ep_events.billing.invoices import uk_today
from ep_events.billing.models import Invoice, Order, Payment, Price, VatRate
from ep_events.bookings.models import PlaceStatus
from ep_events.demo import load_demo_data
from ep_events.extensions import db
from ep_events.network_days import demo as network_demo
from ep_events.network_days.models import EpChampion, Membership, NetworkDay, NetworkPlace, PlaceType, TrainingEnquiry
from ep_events.organisations.models import Organisation
from ep_events.programmes.models import Programme
from ep_events.surgeries.demo import DEMO_TEAMS_URL
from tests.conftest import sign_in

COUNTED = (NetworkDay, Membership, EpChampion, NetworkPlace, Order, Invoice, Payment, Price, VatRate, User,
           TrainingEnquiry)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _counts():
    return {model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in COUNTED}


def _programme():
    return db.session.execute(select(Programme).where(Programme.slug == "coram-network")).scalar_one()


def test_the_demo_loads_twice_without_duplicates(app):
    load_demo_data()
    first = _counts()
    load_demo_data()
    assert _counts() == first
    assert first["NetworkDay"] == 3 and first["Membership"] == 3 and first["EpChampion"] == 3
    assert first["Invoice"] == 3 and first["Payment"] == 1
    # Three membership places and two extra places, all on the first day.
    assert first["NetworkPlace"] == 5
    assert first["TrainingEnquiry"] == 1


def test_the_organiser_has_an_enquiry_to_answer(client, app):
    load_demo_data()
    sign_in(client, db.session.execute(select(User).where(User.email == network_demo.ORGANISER)).scalar_one(),
            password=app.config["DEMO_PASSWORD"])
    page = text_of(client.get("/network-days/coram-network/manage/enquiries").get_data(as_text=True))
    assert "Westmere Borough Council" in page and "Dana Doyle" in page


def test_the_public_page_lists_the_three_days(client, app):
    load_demo_data()
    html = text_of(client.get("/network-days/coram-network").get_data(as_text=True))
    for _offset, title, venue, *_ in network_demo.DAYS:
        assert title in html
        if venue:
            assert venue in html
    assert _programme().is_published
    online = [d for d in db.session.execute(select(NetworkDay)).scalars() if d.online_url]
    assert [d.online_url for d in online] == [DEMO_TEAMS_URL]


def test_the_agencies_have_their_invoices_and_one_is_overdue(client, app):
    load_demo_data()
    programme = _programme()
    agencies = {o.name: o for o in db.session.execute(select(Organisation)).scalars()}
    invoices = list(db.session.execute(select(Invoice).order_by(Invoice.number)).scalars())
    assert sorted(i.customer_name for i in invoices) == sorted(name for name, _ in network_demo.MEMBERS)
    assert all(i.reference.startswith("NET-") and i.seller_name == "Coram (demo)" for i in invoices)
    overdue = overdue_invoices(programme, uk_today())
    assert [(invoice.organisation_id, owed) for invoice, owed in overdue] == [
        (agencies["Adoption Central Midlands"].id, 15000)]
    extra = next(i for i in invoices if i.customer_name == network_demo.EXTRA_PLACES_AGENCY)
    assert [(line.quantity, line.line_total_pence) for line in extra.lines] == [(1, 15000), (2, 30000)]


def test_the_demo_agency_admin_has_the_membership_place_on_the_first_day(client, app):
    load_demo_data()
    admin = db.session.execute(select(User).where(User.email == "agency-admin@example.org")).scalar_one()
    place = db.session.execute(select(NetworkPlace).where(NetworkPlace.user_id == admin.id)).scalar_one()
    assert place.status is PlaceStatus.CONFIRMED and place.place_type.value == "membership"
    assert place.agency.name == "Adoption Central Midlands"
    sign_in(client, admin, password=app.config["DEMO_PASSWORD"])
    assert network_demo.DAYS[0][1] in text_of(client.get("/bookings").get_data(as_text=True))


def test_the_demo_loads_in_the_first_weeks_of_a_membership_year(app):
    # The overdue order was placed in the year before: it still had a price.
    with freeze_time("2027-04-03 09:00:00"):
        load_demo_data()
        assert len(overdue_invoices(_programme(), uk_today())) == 1
        assert min(d.starts_at for d in db.session.execute(select(NetworkDay)).scalars()).year == 2028


def test_billing_and_network_days_demos_use_the_same_agencies():
    assert [name for name, *_ in billing_demo.ORDERS] == [name for name, _ in network_demo.MEMBERS]
    extra = [name for name, extra_places, *_ in billing_demo.ORDERS if extra_places]
    assert extra == [network_demo.EXTRA_PLACES_AGENCY]
    assert network_demo.DEMO_TEAMS_URL == DEMO_TEAMS_URL


def test_the_demo_memberships_and_extra_places_know_the_orders_that_paid_for_them(app):
    load_demo_data()
    memberships = db.session.execute(select(Membership)).scalars().all()
    assert memberships and all(m.order_id is not None for m in memberships)
    extras = db.session.execute(select(NetworkPlace).where(NetworkPlace.place_type == PlaceType.EXTRA)).scalars().all()
    assert len(extras) == 2 and all(p.order_line_id is not None for p in extras)
    load_demo_data()  # again: nothing changes, nothing breaks
    assert db.session.execute(select(func.count(Membership.id))).scalar_one() == len(memberships)
