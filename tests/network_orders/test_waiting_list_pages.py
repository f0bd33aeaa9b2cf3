"""The waiting list from the buying page of a full Network Day: join with a number of places, see the request,
leave it; an offer shows as places held, which the agency then buys on the same page."""

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from ep_events.bookings.models import WaitlistStatus
from ep_events.extensions import db
from ep_events.network_days.models import NetworkPlace, NetworkWaitlistEntry
from ep_events.network_days.places import cancel_place
from ep_events.network_orders.purchases import buy_extra_places
from tests.conftest import sign_in
from tests.html_validator import PageFolder
from tests.network_orders.conftest import BILLING, NOW, network_day
from tests.network_orders.test_buy_pages import text_of


@pytest.fixture(autouse=True)
def frozen_clock():
    with freeze_time(NOW):
        yield


@pytest.fixture
def full_day(shop):
    """Capacity 3: two held for the member agencies, the third bought by Southvale."""
    shop.day = network_day(shop, capacity=3)
    buy_extra_places(shop.other_admin, shop.day, shop.other_agency, 1, BILLING, now=NOW)
    db.session.commit()
    return shop


def _url(w, tail="places/new"):
    return f"/network-days/coram-network/days/{w.day.id}/agencies/{w.agency.id}/{tail}"


def test_a_full_day_offers_the_waiting_list_and_the_agency_joins_and_leaves_it(client, full_day, deliver):
    w = full_day
    sign_in(client, w.admin)
    page = text_of(client.get(_url(w)).get_data(as_text=True))
    assert "This Network Day is full" in page and "Join the waiting list" in page
    refused = client.post(_url(w, "waitlist"), data={"quantity": "0"})
    assert refused.status_code == 400 and "There is a problem" in text_of(refused.get_data(as_text=True))
    assert db.session.execute(select(NetworkWaitlistEntry)).first() is None
    joined = client.post(_url(w, "waitlist"), data={"quantity": "2"}, follow_redirects=True)
    text = text_of(joined.get_data(as_text=True))
    assert "Riverton City Council is on the waiting list for 2 places" in text
    assert "Leave the waiting list" in text
    assert [m.subject for m in deliver() if m.recipients == ["agency-admin@example.org"]]
    left = client.post(_url(w, "waitlist/leave"), follow_redirects=True)
    assert "Riverton City Council has left the waiting list." in text_of(left.get_data(as_text=True))
    assert db.session.execute(select(NetworkWaitlistEntry.status)).scalar_one() is WaitlistStatus.LEFT


def test_places_offered_are_shown_as_held_and_can_be_bought(client, full_day):
    w = full_day
    sign_in(client, w.admin)
    client.post(_url(w, "waitlist"), data={"quantity": "1"})
    [bought] = db.session.execute(select(NetworkPlace).where(NetworkPlace.agency_id == w.other_agency.id)).scalars()
    cancel_place(w.other_admin, bought, "Not coming", now=NOW)
    db.session.commit()
    page = text_of(client.get(_url(w)).get_data(as_text=True))
    assert "1 place is held for Riverton City Council until" in page
    assert "From 1 to 1" in page  # the held place is Riverton's to buy


def test_another_agency_cannot_use_the_waiting_list_for_riverton(client, full_day):
    sign_in(client, full_day.other_admin)
    assert client.post(_url(full_day, "waitlist"), data={"quantity": "1"}).status_code == 403
    assert db.session.execute(select(NetworkWaitlistEntry)).first() is None


def test_the_waiting_list_pages_are_valid_html(client, full_day, tmp_path):
    pages = PageFolder(tmp_path / "pages")
    sign_in(client, full_day.admin)
    pages.save("full", client.get(_url(full_day)).get_data())
    pages.save("errors", client.post(_url(full_day, "waitlist"), data={"quantity": "abc"}).get_data())
    client.post(_url(full_day, "waitlist"), data={"quantity": "1"})
    [bought] = db.session.execute(select(NetworkPlace).where(
        NetworkPlace.agency_id == full_day.other_agency.id)).scalars()
    cancel_place(full_day.other_admin, bought, "Not coming", now=NOW)
    db.session.commit()
    pages.save("offered", client.get(_url(full_day)).get_data())
    assert pages.errors() == []
