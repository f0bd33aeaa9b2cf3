"""The public Network Days page, a named person's own place, and the place in My bookings and the feed."""

import re
from datetime import date, time, timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from ep_events.accounts.services import regenerate_feed_token
from ep_events.core.time import UK, uk_date, utcnow
from ep_events.extensions import db
from ep_events.network_days.memberships import add_membership, membership_year_of
from ep_events.network_days.models import Membership, PlaceType
from ep_events.network_days.places import name_place
from ep_events.programmes.models import ProgrammeStatus
from tests import factories
from tests.conftest import sign_in
from tests.network_days.conftest import network_day


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _weeks_ahead(weeks: int) -> date:
    """A day well clear of the real clock (pages read it): whole weeks from today, UK."""
    return (utcnow().astimezone(UK) + timedelta(weeks=weeks)).date()


def _live_day(world, weeks=6, **changes):
    day = network_day(world, now=utcnow(), day=_weeks_ahead(weeks), **changes)
    add_membership(world.organiser, world.programme, world.agency, membership_year_of(day))
    return day


def test_the_public_page_lists_upcoming_published_days_with_places_left(client, world):
    online = _live_day(world, weeks=4, title="Contact in early permanence", venue="",
                       online_url="https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0",
                       capacity=40)
    in_person = _live_day(world, weeks=8, capacity=3)
    network_day(world, now=utcnow(), day=_weeks_ahead(10), title="A draft day", publish=False)
    name_place(world.admin, in_person, world.agency, world.alice, PlaceType.MEMBERSHIP, now=utcnow())
    db.session.commit()
    response = client.get("/network-days/coram-network")
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    assert page.index("Contact in early permanence") < page.index("Legal updates and pre-birth planning")
    assert "A draft day" not in page
    assert f"Date {uk_date(online.starts_at)}" in page and "Time 10:00am to 3:30pm (UK time)" in page
    assert "Where Online" in page and "Where Coram, 41 Brunswick Square" in page
    assert "Topics Legal updates; pre-birth planning" in page and (
        "Practice standards S1: Principles underpinning effective delivery of early permanence to children who may be "
        "adopted; S4: Children are matched with suitable early permanence carers") in page
    # One place is held for each member agency of the day's membership year that has not named its place
    # (the world's agencies are members for 2027, Riverton for every year a day here falls in).
    members = {d.id: db.session.execute(select(func.count(Membership.id)).where(
        Membership.membership_year == membership_year_of(d))).scalar_one() for d in (online, in_person)}
    assert f"Places left {40 - members[online.id]} of 40" in page
    assert f"Places left {max(3 - 1 - (members[in_person.id] - 1), 0)} of 3" in page


def test_the_network_days_page_is_not_found_for_other_kinds_and_draft_programmes(client, world):
    factories.surgery_programme(slug="mtc")
    world.programme.status = ProgrammeStatus.DRAFT
    db.session.commit()
    assert client.get("/network-days/mtc").status_code == 404
    assert client.get("/network-days/coram-network").status_code == 404
    assert client.get("/network-days/nothing-here").status_code == 404


def test_the_home_page_links_to_the_network_days(client, world):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/network-days/coram-network"' in page


def test_the_named_person_sees_their_place_and_downloads_the_calendar_file(client, world):
    day = _live_day(world)
    place = name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=utcnow())
    db.session.commit()
    assert client.get(f"/network-days/places/{place.id}").status_code == 302  # sign in first
    sign_in(client, world.alice)
    response = client.get(f"/network-days/places/{place.id}")
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    assert "Your Network Day place" in page and "Membership place of Riverton City Council" in page
    assert f"{uk_date(day.starts_at)}, 10:00am to 3:30pm (UK time)" in page
    download = client.get(f"/network-days/places/{place.id}/invite.ics")
    assert download.status_code == 200 and download.mimetype == "text/calendar"
    [event] = Calendar.from_ical(download.get_data(as_text=True)).walk("VEVENT")
    assert str(event["UID"]) == place.uid


def test_nobody_else_sees_a_persons_place(client, world):
    place = name_place(world.admin, _live_day(world), world.agency, world.alice, PlaceType.MEMBERSHIP,
                       now=utcnow())
    db.session.commit()
    sign_in(client, world.bola)
    assert client.get(f"/network-days/places/{place.id}").status_code == 404
    assert client.get(f"/network-days/places/{place.id}/invite.ics").status_code == 404
    assert client.get("/network-days/places/999999").status_code == 404


def test_a_named_place_is_in_my_bookings_and_the_personal_feed(client, world):
    day = _live_day(world, starts=time(9, 30))
    place = name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=utcnow())
    token = regenerate_feed_token(world.alice)
    db.session.commit()
    sign_in(client, world.alice)
    html = client.get("/bookings").get_data(as_text=True)
    assert f'href="/network-days/places/{place.id}"' in html
    assert "Legal updates and pre-birth planning" in html and "Coram EP Network Days" in html
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    [event] = Calendar.from_ical(feed.get_data(as_text=True)).walk("VEVENT")
    assert str(event["UID"]) == place.uid
    assert event.decoded("DTSTART") == day.starts_at
