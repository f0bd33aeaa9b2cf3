"""The public listing's short-lived copy of free places: a few seconds behind at most, fresh after any change
made through the services here, and never used to decide whether a place can be taken."""

import re
from datetime import timedelta

import pytest

from ep_events.bookings.models import PlaceStatus
from ep_events.core import short_cache
from ep_events.core.time import UK, utcnow
from ep_events.extensions import db
from ep_events.network_days.listed_places import listed_places
from ep_events.network_days.memberships import add_membership, membership_year_of
from ep_events.network_days.models import NetworkPlace, PlaceType
from ep_events.network_days.places import name_place
from tests import factories
from tests.network_days.conftest import network_day


def _places_left(client) -> str:
    page = " ".join(re.sub(r"<[^>]+>", " ", client.get("/network-days/coram-network").get_data(as_text=True)).split())
    return re.search(r"Places left (\d+ of \d+)", page).group(1)


@pytest.fixture
def cached(app):
    app.config["NETWORK_PLACES_LEFT_CACHE_SECONDS"] = 60
    listed_places.forget()
    yield
    listed_places.forget()


@pytest.fixture
def clock(monkeypatch):
    """The cache's own clock (time.monotonic), moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(short_cache.time, "monotonic", lambda: now[0])
    return now


def _day(world):
    day = network_day(world, now=utcnow(), capacity=10,
                      day=(utcnow().astimezone(UK) + timedelta(weeks=6)).date())
    for agency in (world.agency, world.other_agency):
        add_membership(world.organiser, world.programme, agency, membership_year_of(day))
    db.session.commit()
    return day


def test_the_listing_keeps_its_count_for_its_lifetime_then_counts_again(client, world, cached, clock):
    day = _day(world)
    assert _places_left(client) == "8 of 10"  # two member agencies each hold one place
    # A place taken by another worker (written straight to the database: no service of this process ran).
    db.session.add(NetworkPlace(event=day, user=world.chen, agency_id=world.other_agency.id,
                                place_type=PlaceType.EXTRA, starts_at=day.starts_at, ends_at=day.ends_at))
    db.session.commit()
    assert _places_left(client) == "8 of 10"  # still the copy
    clock[0] += 59
    assert _places_left(client) == "8 of 10"
    clock[0] += 2  # 61 seconds: the copy has expired
    assert _places_left(client) == "7 of 10"


def test_a_change_made_here_is_listed_at_once(client, world, cached, clock):
    day = _day(world)
    assert _places_left(client) == "8 of 10"
    # Naming the membership place does not change the count (it was held); an extra place does.
    name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=utcnow())
    name_place(world.organiser, day, world.agency, world.bola, PlaceType.EXTRA, now=utcnow())  # one given
    db.session.commit()
    assert _places_left(client) == "7 of 10"
    third = factories.organisation(name="Eastmoor Council")
    add_membership(world.organiser, world.programme, third, membership_year_of(day))
    db.session.commit()
    assert _places_left(client) == "6 of 10"


def test_a_new_capacity_is_listed_at_once(client, world, cached, clock):
    day = _day(world)
    assert _places_left(client) == "8 of 10"
    day.capacity = 12  # the key holds each day's capacity
    db.session.commit()
    assert _places_left(client) == "10 of 12"


def test_taking_a_place_counts_afresh_even_when_the_listing_is_behind(client, world, cached, clock):
    day = _day(world)
    day.capacity = 3
    db.session.commit()
    assert _places_left(client) == "1 of 3"
    db.session.add(NetworkPlace(event=day, user=world.chen, agency_id=world.other_agency.id,
                                place_type=PlaceType.EXTRA, starts_at=day.starts_at, ends_at=day.ends_at))
    db.session.commit()
    assert _places_left(client) == "1 of 3"  # the listing is behind: the day is in fact full
    with pytest.raises(Exception, match="(?i)no places|full|no free"):
        name_place(world.organiser, day, world.agency, world.bola, PlaceType.EXTRA, now=utcnow())
    db.session.rollback()
    assert db.session.query(NetworkPlace).filter_by(event_id=day.id, status=PlaceStatus.CONFIRMED).count() == 1
