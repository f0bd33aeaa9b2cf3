"""Find any event: every programme's upcoming events on one page, filtered by a GET form with shareable
addresses, a page at a time, and the same list as a calendar; bad filters get a clear message."""

import re
from datetime import UTC, date, datetime, time

import pytest
from freezegun import freeze_time
from icalendar import Calendar
from sqlalchemy import event as sa_event

from ep_events.accounts.models import Role
from ep_events.core import short_cache
from ep_events.extensions import db
from ep_events.finder import views as finder_views
from ep_events.finder.found import found_pages
from ep_events.network_days.days import DayDetails, create_day, publish_day
from ep_events.programmes.models import ProgrammeStatus
from ep_events.workshops.registrations import register
from ep_events.workshops.workshops import WorkshopDetails, create_workshop, publish_workshop
from tests import factories

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # GMT; the events below are in March to June
TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_FIND0001%40thread.v2/0?context=%7b%7d"


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def titles(response) -> list[str]:
    return re.findall(r'<h3 class="govuk-heading-s govuk-!-margin-bottom-1"><a class="govuk-link" href="[^"]*">'
                      r'([^<]+)</a>', response.get_data(as_text=True))


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


class World:
    pass


def _workshop(w, title, day, capacity=30, standards=()):
    made = create_workshop(w.workshop_organiser, w.workshops, WorkshopDetails(
        title=title, day=day, starts=time(10, 0), ends=time(11, 30), capacity=capacity, description="",
        online_url=TEAMS, topic="", audience="", practice_standards=standards), now=NOW)
    publish_workshop(w.workshop_organiser, made, now=NOW)
    return made


@pytest.fixture
def world(app):
    return _world()


def _world():
    w = World()
    w.surgeries = factories.surgery_programme(slug="mtc-surgeries", name="MTC practice surgeries")
    w.surgery = factories.surgery_date(w.surgeries, day=date(2027, 3, 10), now=NOW, teams_url=TEAMS)
    w.network = factories.programme(kind="network_days", slug="coram-network", name="Coram Network Days")
    network_organiser = factories.user(email="network-organiser@example.org", roles=[(Role.ORGANISER, w.network)])
    w.day = create_day(network_organiser, w.network, DayDetails(
        title="Legal updates", day=date(2027, 4, 14), starts=time(10, 0), ends=time(15, 30), capacity=40,
        venue="Coram, 41 Brunswick Square, London", topics="", practice_standards=("S2",)), now=NOW)
    publish_day(network_organiser, w.day)
    w.workshops = factories.programme(kind="workshops", slug="pds-workshops", name="P&SD workshops")
    w.workshop_organiser = factories.user(email="workshop-organiser@example.org",
                                          roles=[(Role.ORGANISER, w.workshops)])
    w.full = _workshop(w, "Hope boxes", date(2027, 3, 24), capacity=1)
    register(w.full, factories.user(email="alice@example.org"), now=NOW)
    w.matching = _workshop(w, "Matching in early permanence", date(2027, 5, 19), standards=("4.2",))
    w.later = _workshop(w, "Family time", date(2027, 6, 16), standards=("S5",))
    draft = factories.programme(kind="workshops", slug="draft-workshops", status=ProgrammeStatus.DRAFT)
    factories.user(email="draft-organiser@example.org", roles=[(Role.ORGANISER, draft)])
    db.session.commit()
    return w


ALL = ["Practice surgery: Wednesday 10 March 2027 – AM", "Workshop: Hope boxes", "Network Day: Legal updates",
       "Workshop: Matching in early permanence", "Workshop: Family time"]


def test_every_programme_s_upcoming_events_are_listed_soonest_first_with_places_and_links(client, world):
    response = client.get("/events")
    assert response.status_code == 200
    assert titles(response) == ALL
    page = text_of(response)
    assert "Wednesday 14 April 2027, 10:00am to 3:30pm. Coram, 41 Brunswick Square, London." in page
    assert "Wednesday 24 March 2027, 10:00am to 11:30am. Online. Full: you can join the waiting list" in page
    assert "Network Days Coram Network Days" in page and "Workshops P&amp;SD workshops" in page
    html = response.get_data(as_text=True)
    assert f'href="http://localhost/network-days/coram-network#day-{world.day.id}"' in html
    assert f'href="http://localhost/workshops/pds-workshops/{world.matching.id}"' in html
    assert f'href="http://localhost/surgeries/mtc-surgeries#date-{world.surgery.id}"' in html


@pytest.mark.parametrize("database", ["app", pytest.param("pg_app", marks=pytest.mark.postgres)])
def test_each_kind_counts_its_places_left_by_its_own_rule_on_either_database(request, database):
    """Surgeries count bookable slots, Network Days and workshops their capacity less places taken and held: all
    three read together in one UNION ALL (counted in the statements test below), whose columns each database
    must accept from every kind alike."""
    app = request.getfixturevalue(database)
    world = _world()
    page = text_of(app.test_client().get("/events"))
    slots = len(world.surgery.slots)
    assert f"Wednesday 10 March 2027, 9:30am to 12:30pm. Online. {slots} places left" in page, page
    assert "Coram, 41 Brunswick Square, London. 40 places left" in page
    assert "11:30am. Online. Full: you can join the waiting list" in page  # Hope boxes: 1 place, 1 registered
    assert "Wednesday 19 May 2027, 10:00am to 11:30am. Online. 30 places left" in page


def test_the_home_page_leads_to_the_finder(client, world):
    assert 'href="/events"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("query", "expected"), [
    ("programme=pds-workshops", ["Workshop: Hope boxes", "Workshop: Matching in early permanence",
                                 "Workshop: Family time"]),
    ("theme=right-plan", ["Practice surgery: Wednesday 10 March 2027 – AM"]),
    ("standard=S4", ["Workshop: Matching in early permanence"]),  # a sub-standard 4.2 counts for S4
    ("standard=4.2", ["Workshop: Matching in early permanence"]),
    ("standard=S2", ["Network Day: Legal updates"]),
    ("where=in-person", ["Network Day: Legal updates"]),
    ("where=online&places=yes", ["Practice surgery: Wednesday 10 March 2027 – AM",
                                 "Workshop: Matching in early permanence", "Workshop: Family time"]),
    # From 24 March to 14 April, both days included, in UK time (14 April is in British Summer Time).
    ("from-day=24&from-month=3&from-year=2027&to-day=14&to-month=4&to-year=2027",
     ["Workshop: Hope boxes", "Network Day: Legal updates"]),
    ("programme=pds-workshops&standard=S5&where=online", ["Workshop: Family time"]),
])
def test_each_filter_narrows_the_list_and_its_address_can_be_shared(client, world, query, expected):
    response = client.get(f"/events?{query}")
    assert response.status_code == 200
    assert titles(response) == expected
    html = response.get_data(as_text=True)
    for name, value in (pair.split("=") for pair in query.split("&")):
        assert f'name="{name}"' in html or name.startswith(("from", "to"))  # the form shows it chosen again
    if "theme=right-plan" in query:
        assert "At a practice surgery you can bring: “Are you thinking about EP for a child" in text_of(response)


def test_a_filter_matching_nothing_says_what_to_change(client, world):
    response = client.get("/events?programme=coram-network&where=online&places=yes")
    assert response.status_code == 200 and titles(response) == []
    page = text_of(response)
    assert "No events match your filters. You could: show every programme show online and in-person events " \
           "include events that are full" in page
    html = response.get_data(as_text=True)
    assert 'href="/events?where=online&amp;places=yes"' in html  # without the programme
    assert 'href="/events?programme=coram-network&amp;places=yes"' in html  # without "online"


def test_results_come_a_page_at_a_time(client, world, monkeypatch):
    monkeypatch.setattr(finder_views, "PER_PAGE", 2)
    first = client.get("/events?where=online")
    assert titles(first) == ALL[:2] and "Later events" in text_of(first) and "Earlier events" not in text_of(first)
    assert 'href="/events?where=online&amp;page=2"' in first.get_data(as_text=True)
    second = client.get("/events?where=online&page=2")
    assert titles(second) == ALL[3:5] and "Earlier events" in text_of(second) and "Later events" not in text_of(second)
    assert titles(client.get("/events?where=online&page=3")) == []
    assert "There are no more events that match" in text_of(client.get("/events?where=online&page=3"))
    with_places = client.get("/events?places=yes&page=2")  # paged after leaving out the full workshop
    assert titles(with_places) == ALL[3:5]


def test_the_same_list_is_a_calendar_to_subscribe_to(client, world):
    page = client.get("/events?programme=pds-workshops&places=yes").get_data(as_text=True)
    assert 'href="/events.ics?programme=pds-workshops&amp;places=yes"' in page
    response = client.get("/events.ics?programme=pds-workshops&places=yes")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Workshop: Matching in early permanence", "Workshop: Family time"]
    assert not any("ATTENDEE" in e for e in events)
    assert client.get("/events.ics?standard=S9").status_code == 400


@pytest.mark.parametrize(("query", "message"), [
    ("programme=draft-workshops", "Choose a programme from the list"),  # a draft is not offered to the public
    ("programme=nope", "Choose a programme from the list"),
    ("theme=moon", "Choose a theme from the list"),
    ("standard=S9", "Choose a practice standard from the list"),
    ("standard=%27%20OR%201%3D1", "Choose a practice standard from the list"),
    ("where=moon", "Choose online, in person or either"),
    ("places=maybe", "Tick the box to see only events with places left"),
    ("from-day=31&from-month=2&from-year=2027", "The date from must be a real date"),
    ("from-day=1&from-month=1&from-year=9999", "The date from must be in the years 2000 to 2100"),
    ("from-day=1&from-month=1", "The date from must include a day, month and year"),
    ("to-day=１&to-month=1&to-year=2027", "The date to must be a real date, in numbers"),
    ("from-day=2&from-month=5&from-year=2027&to-day=1&to-month=5&to-year=2027",
     "The date to must be the same as or after the date from"),
])
def test_a_bad_filter_is_named_in_the_error_summary_and_nothing_is_listed(client, world, query, message):
    response = client.get(f"/events?{query}")
    assert response.status_code == 400
    page = text_of(response)
    assert f"There is a problem {message}" in page and "Error: Find an event" in page
    assert titles(response) == []


def test_a_nul_byte_is_a_friendly_bad_request(client, world):
    response = client.get("/events?theme=%00")
    assert response.status_code == 400 and "Sorry, there is a problem with your request" in text_of(response)


def test_a_century_of_dates_a_repeated_filter_and_a_silly_page_are_normal_days(client, world):
    century = client.get("/events?from-day=1&from-month=1&from-year=2000&to-day=31&to-month=12&to-year=2100")
    assert century.status_code == 200 and titles(century) == ALL
    repeated = client.get("/events?" + "&".join(["programme=pds-workshops"] * 1000))
    assert repeated.status_code == 200 and len(titles(repeated)) == 3
    for page in ("-1", "0", str(2**63), "abc", "99999"):
        response = client.get(f"/events?page={page}")
        assert response.status_code == 200 and titles(response) == ALL


def test_the_finder_reads_a_fixed_number_of_statements_whatever_the_events_and_their_kinds(client, world, app):
    def statements(path: str) -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
        return seen

    # The programmes for the filter form, the page of events, then the places left of every kind on the page in
    # one statement: the same for a page of one programme as for a page of all three, and for few or many events.
    before = len(statements("/events"))
    assert before == 3
    for slug in ("mtc-surgeries", "coram-network", "pds-workshops"):
        assert len(statements(f"/events?programme={slug}")) == before
    for week in range(12):
        _workshop(world, f"Extra {week}", date(2027, 7, 1 + week))
    db.session.commit()
    assert len(statements("/events")) == before


def test_a_list_is_kept_for_a_few_seconds_then_counted_again(client, world, app, monkeypatch):
    app.config["FINDER_CACHE_SECONDS"] = 5
    found_pages.forget()
    clock = [1000.0]
    monkeypatch.setattr(short_cache.time, "monotonic", lambda: clock[0])
    try:
        assert "30 places left" in text_of(client.get("/events?programme=pds-workshops&standard=S5"))
        register(world.later, factories.user(email="bola@example.org"), now=NOW)
        db.session.commit()
        assert "30 places left" in text_of(client.get("/events?programme=pds-workshops&standard=S5"))  # the copy
        assert "29 places left" in text_of(client.get("/events?programme=pds-workshops"))  # another list: counted
        clock[0] += 5
        assert "29 places left" in text_of(client.get("/events?programme=pds-workshops&standard=S5"))
    finally:
        found_pages.forget()
