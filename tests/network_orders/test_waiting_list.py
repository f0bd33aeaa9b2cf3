"""A full Network Day's waiting list for extra places: agencies ask for N places; freed places are offered in
the order they asked, held for 48 hours, bought as usual, or passed on when the offer expires."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ep_events.accounts.models import Role
from ep_events.bookings.models import WaitlistStatus
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from ep_events.network_days.capacity import free_places
from ep_events.network_days.days import update_day
from ep_events.network_days.memberships import add_membership
from ep_events.network_days.models import NetworkPlace, PlaceType
from ep_events.network_days.places import cancel_place, name_place
from ep_events.network_days.waitlist import expire_offers, join_waitlist, leave_waitlist, waiting_list
from ep_events.network_orders.purchases import buy_extra_places, cancel_network_order
from tests import factories
from tests.network_days.conftest import details
from tests.network_orders.conftest import BILLING, NOW, network_day


@pytest.fixture
def full_day(shop):
    """Capacity 4: two held for the member agencies, two extra places bought by Riverton."""
    shop.day = network_day(shop, capacity=4)
    shop.order = buy_extra_places(shop.admin, shop.day, shop.agency, 2, BILLING, now=NOW)
    shop.third = factories.organisation(name="Westmoor Council")
    shop.third_admin = factories.user(email="westmoor-admin@example.org", name="Wen Admin",
                                      organisation_id=shop.third.id, roles=[(Role.AGENCY_ADMIN, shop.third)])
    db.session.commit()
    assert free_places(shop.day) == 0
    return shop


def test_a_full_day_takes_agencies_on_its_waiting_list_once_each(full_day, deliver):
    w = full_day
    entry = join_waitlist(w.other_admin, w.day, w.other_agency, 1, now=NOW)
    db.session.commit()
    assert entry.status is WaitlistStatus.WAITING and entry.quantity == 1
    [joined] = [m for m in deliver() if m.recipients == ["other-admin@example.org"]]
    assert "Southvale Borough Council is on the waiting list for 1 place" in joined.text
    with pytest.raises(DomainError, match="already on the waiting list"):
        join_waitlist(w.other_admin, w.day, w.other_agency, 2, now=NOW)


def test_a_day_with_room_has_no_waiting_list(shop):
    day = network_day(shop, capacity=10)
    with pytest.raises(DomainError, match="There is room on this Network Day"):
        join_waitlist(shop.admin, day, shop.agency, 1, now=NOW)


def test_freed_places_are_offered_in_order_to_the_first_whose_number_fits_and_held(full_day, deliver):
    w = full_day
    join_waitlist(w.third_admin, w.day, w.third, 2, now=NOW)  # asked first, for two
    join_waitlist(w.other_admin, w.day, w.other_agency, 1, now=NOW + timedelta(minutes=1))
    db.session.commit()
    [held] = db.session.execute(select(NetworkPlace).where(NetworkPlace.order_line_id.isnot(None))).scalars().all()[:1]
    cancel_place(w.admin, held, "One fewer coming", now=NOW)  # one place frees: only Southvale's request fits
    db.session.commit()
    third, other = waiting_list(w.day)
    assert third.status is WaitlistStatus.WAITING and other.status is WaitlistStatus.OFFERED
    assert other.offer_expires_at == NOW + timedelta(hours=48)
    assert free_places(w.day) == 0  # held for Southvale
    [offer] = [m for m in deliver() if m.recipients == ["other-admin@example.org"] and "held until" in m.subject]
    assert f"/network-days/coram-network/days/{w.day.id}/agencies/{w.other_agency.id}/places/new" in offer.text
    # Someone else cannot take the held place; Southvale buys it.
    with pytest.raises(DomainError, match="no places left"):
        buy_extra_places(w.third_admin, w.day, w.third, 1, BILLING, now=NOW)
    db.session.rollback()
    buy_extra_places(w.other_admin, w.day, w.other_agency, 1, BILLING, now=NOW + timedelta(hours=1))
    db.session.commit()
    assert other.status is WaitlistStatus.BOOKED


def test_an_offer_not_taken_expires_and_passes_to_the_next_agency(full_day, deliver):
    w = full_day
    join_waitlist(w.other_admin, w.day, w.other_agency, 2, now=NOW)
    join_waitlist(w.third_admin, w.day, w.third, 2, now=NOW + timedelta(minutes=1))
    db.session.commit()
    cancel_network_order(w.organiser, w.order, "Riverton cannot come", now=NOW)  # both extra places free
    db.session.commit()
    first, second = waiting_list(w.day)
    assert (first.status, second.status) == (WaitlistStatus.OFFERED, WaitlistStatus.WAITING)
    assert expire_offers(now=NOW + timedelta(hours=47)) == 0
    assert expire_offers(now=NOW + timedelta(hours=48)) == 1
    db.session.expire_all()
    assert first.status is WaitlistStatus.EXPIRED and second.status is WaitlistStatus.OFFERED
    subjects = [m.subject for m in deliver() if m.recipients == ["other-admin@example.org"]]
    assert any("have gone to the next agency" in s for s in subjects)
    assert expire_offers(now=NOW + timedelta(hours=48)) == 0  # running it twice does nothing twice


def test_leaving_while_offered_passes_the_places_on(full_day):
    w = full_day
    first = join_waitlist(w.other_admin, w.day, w.other_agency, 2, now=NOW)
    second = join_waitlist(w.third_admin, w.day, w.third, 2, now=NOW)
    cancel_network_order(w.organiser, w.order, "Riverton cannot come", now=NOW)
    assert first.status is WaitlistStatus.OFFERED
    leave_waitlist(w.other_admin, first, now=NOW)
    assert first.status is WaitlistStatus.LEFT and second.status is WaitlistStatus.OFFERED


@pytest.mark.parametrize("quantity", [0, -1, 1001, 2**63])
def test_silly_numbers_are_refused(full_day, quantity):
    with pytest.raises(DomainError) as refused:
        join_waitlist(full_day.other_admin, full_day.day, full_day.other_agency, quantity, now=NOW)
    assert refused.value.field == "quantity"


def test_more_capacity_is_offered_to_the_waiting_list(full_day):
    w = full_day
    entry = join_waitlist(w.other_admin, w.day, w.other_agency, 2, now=NOW)
    saved = update_day(w.organiser, w.day, details(capacity=6), now=NOW)
    assert saved.offers == 1 and entry.status is WaitlistStatus.OFFERED


def test_a_day_moved_into_another_membership_year_names_the_agencies_it_no_longer_covers(full_day):
    w = full_day
    name_place(w.admin, w.day, w.agency, w.alice, PlaceType.MEMBERSHIP, now=NOW)
    add_membership(w.organiser, w.programme, w.other_agency, 2028)
    saved = update_day(w.organiser, w.day, details(day=date(2028, 6, 14), capacity=4), now=NOW)
    assert saved.outside_membership == ("Riverton City Council",)
    # Moving it again within that year reports nothing new.
    assert update_day(w.organiser, w.day, details(day=date(2028, 6, 21), capacity=4),
                      now=NOW).outside_membership == ()
