"""The organisers' pages for Network Days: the list of days, creating, editing, publishing and cancelling."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.bookings.models import EventStatus
from ep_events.extensions import db
from ep_events.network_days.models import NetworkDay, PlaceType
from ep_events.network_days.places import name_place
from tests import factories
from tests.conftest import sign_in
from tests.html_validator import PageFolder
from tests.network_days.conftest import network_day

# Frozen "now" for every test: the days below are in June 2027, ahead of it whatever the real date.
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _form(**changes) -> dict:
    values = {"title": "Contact in early permanence", "day": ["16", "6", "2027"], "starts": "10am",
              "ends": "3:30pm", "venue": "Coram, 41 Brunswick Square, London WC1N 1AZ", "online_url": "",
              "topics": "Managing contact", "practice_standards": ["S4", "S1"], "capacity": "30"}
    return values | changes


def _count_days() -> int:
    return db.session.execute(select(func.count(NetworkDay.id))).scalar_one()


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


# --- Who may see the pages ---------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    day = network_day(world, now=NOW)
    db.session.commit()
    for url in ("/network-days/coram-network/manage", "/network-days/coram-network/manage/days/new",
                f"/network-days/manage/days/{day.id}", f"/network-days/manage/days/{day.id}/cancel"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_people_who_do_not_organise_the_programme_are_refused(client, world):
    day = network_day(world, now=NOW)
    other = factories.programme(kind="network_days", slug="other-network")
    other_organiser = factories.user(roles=[(Role.ORGANISER, other)])
    surgery_organiser = factories.user(roles=[(Role.ORGANISER, factories.surgery_programme(slug="mtc"))])
    db.session.commit()
    for person in (world.alice, world.admin, other_organiser, surgery_organiser):
        sign_in(client, person)
        for url in ("/network-days/coram-network/manage", "/network-days/coram-network/manage/days/new",
                    f"/network-days/manage/days/{day.id}", f"/network-days/manage/days/{day.id}/cancel"):
            assert client.get(url).status_code == 403, (person.email, url)
        assert client.post(f"/network-days/manage/days/{day.id}/publish").status_code == 403
        assert client.post("/network-days/coram-network/manage/days/new", data=_form()).status_code == 403
        client.post("/sign-out")
    assert _count_days() == 1


def test_missing_programmes_and_days_are_not_found(client, world):
    factories.surgery_programme(slug="mtc")
    db.session.commit()
    sign_in(client, world.organiser)
    assert client.get("/network-days/nothing-here/manage").status_code == 404
    assert client.get("/network-days/mtc/manage").status_code == 404
    assert client.get("/network-days/manage/days/999999").status_code == 404


def test_the_organiser_and_a_site_admin_see_the_days_upcoming_and_past(client, world):
    upcoming = network_day(world, now=NOW, title="Summer Network Day")
    network_day(world, now=NOW, title="Autumn draft", publish=False, day=datetime(2027, 10, 13).date())
    name_place(world.admin, upcoming, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    for person in (world.organiser, factories.admin()):
        db.session.commit()
        sign_in(client, person)
        response = client.get("/network-days/coram-network/manage")
        assert response.status_code == 200
        page = text_of(response.get_data(as_text=True))
        assert ("Summer Network Day Wednesday 16 June 2027 10:00am to 3:30pm Coram, 41 Brunswick Square, "
                "London WC1N 1AZ Published 1 of 3") in page
        assert "Autumn draft Wednesday 13 October 2027 10:00am to 3:30pm" in page and "Draft" in page
        assert "No past Network Days yet." in page
        client.post("/sign-out")
    with freeze_time(datetime(2027, 7, 1, 9, 0, tzinfo=UTC)):
        sign_in(client, world.organiser)
        page = text_of(client.get("/network-days/coram-network/manage").get_data(as_text=True))
        assert page.index("Autumn draft") < page.index("Past Network Days") < page.index("Summer Network Day")


def test_the_manage_page_links_the_organiser_to_the_network_days(client, world):
    sign_in(client, world.organiser)
    assert 'href="/network-days/coram-network/manage"' in client.get("/manage").get_data(as_text=True)


# --- Creating, editing, publishing, cancelling -------------------------------------------------

def test_a_new_day_is_a_draft_on_the_list_and_on_the_public_page_once_published(client, world):
    sign_in(client, world.organiser)
    response = client.post("/network-days/coram-network/manage/days/new",
                           data=_form(venue="", online_url=TEAMS))
    assert response.status_code == 302
    day = db.session.execute(select(NetworkDay)).scalar_one()
    assert response.headers["Location"].endswith(f"/network-days/manage/days/{day.id}")
    assert day.status is EventStatus.DRAFT and day.practice_standards == ["S1", "S4"]
    assert day.starts_at == datetime(2027, 6, 16, 9, 0, tzinfo=UTC)  # 10am British Summer Time
    listing = text_of(client.get("/network-days/coram-network/manage").get_data(as_text=True))
    assert "Contact in early permanence Wednesday 16 June 2027 10:00am to 3:30pm Online Draft 0 of 30" in listing
    assert "Contact in early permanence" not in client.get("/network-days/coram-network").get_data(as_text=True)

    published = client.post(f"/network-days/manage/days/{day.id}/publish")
    assert published.status_code == 302
    page = text_of(client.get(published.headers["Location"]).get_data(as_text=True))
    assert "The Network Day is published" in page and "Status Published" in page
    public = text_of(client.get("/network-days/coram-network").get_data(as_text=True))
    # Two of the 30 are held for the member agencies' membership places (not named yet).
    assert "Contact in early permanence" in public and "Places left 28 of 30" in public
    # Renaming closes two working days before, at the day's start time: Monday 14 June 2027, 10am.
    assert day.rename_deadline == datetime(2027, 6, 14, 9, 0, tzinfo=UTC)


def test_a_rename_deadline_can_be_set(client, world):
    sign_in(client, world.organiser)
    client.post("/network-days/coram-network/manage/days/new",
                data=_form(rename_deadline=["9", "6", "2027"], rename_deadline_time="5pm"))
    day = db.session.execute(select(NetworkDay)).scalar_one()
    assert day.rename_deadline == datetime(2027, 6, 9, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("changes, message", [
    ({"title": ""}, "Enter a title for the Network Day"),
    ({"ends": "9am"}, "The end time must be after the start time"),
    ({"starts": "half ten"}, "Enter the start time as a time, like 9:30am or 2pm"),
    ({"capacity": "0"}, "Enter a number of places between 1 and 1000"),
    ({"capacity": "10000"}, "Enter a number of places between 1 and 1000"),
    ({"capacity": "lots"}, "Enter a whole number of places between 1 and 1000"),
    ({"day": ["16", "6", "9999"]}, "Enter a date in the years"),
    ({"day": ["16", "6", "2030"]}, "The Network Day must be within 2 years of today"),
    ({"day": ["1", "2", "2027"]}, "The Network Day must be in the future"),
    ({"venue": "", "online_url": "https://example.org/meeting"}, "Teams"),
    ({"online_url": TEAMS}, "either in person (a venue) or online (a joining link), not both"),
    ({"practice_standards": ["S9"]}, "is not a valid choice"),
    ({"practice_substandards": "4.2, 9.9"}, "There is no practice standard &#34;9.9&#34;"),
    ({"practice_substandards": "S4"}, "Tick whole standards above; enter only sub-standard numbers here"),
    ({"rename_deadline": ["17", "6", "2027"]}, "Renaming must close before the Network Day starts"),
])
def test_bad_input_shows_the_error_summary_and_saves_nothing(client, world, changes, message):
    sign_in(client, world.organiser)
    response = client.post("/network-days/coram-network/manage/days/new", data=_form(**changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in body and message in text_of(body)
    assert _count_days() == 0


def test_the_organiser_edits_a_day_and_the_people_named_are_told(client, world, deliver):
    day = network_day(world, now=NOW)
    name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    sign_in(client, world.organiser)
    form = client.get(f"/network-days/manage/days/{day.id}").get_data(as_text=True)
    assert 'value="Legal updates and pre-birth planning"' in form and 'value="10am"' in form
    deliver()
    response = client.post(f"/network-days/manage/days/{day.id}", data=_form(starts="11am", capacity="5"))
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "1 named person has been sent the updated invite" in page
    assert "Time 11:00am to 3:30pm (UK time)" in page and "Places taken 1 of 5" in page
    assert day.title == "Contact in early permanence"
    assert any("alice@example.org" in m.recipients for m in deliver())


def test_a_day_is_tagged_with_sub_standards_and_an_edit_keeps_them(client, world):
    sign_in(client, world.organiser)
    client.post("/network-days/coram-network/manage/days/new", data=_form(practice_substandards="4.2; 2.10, 4.2"))
    day = db.session.execute(select(NetworkDay)).scalar_one()
    assert day.practice_standards == ["S1", "S4", "2.10", "4.2"]
    form = client.get(f"/network-days/manage/days/{day.id}").get_data(as_text=True)
    assert 'value="2.10, 4.2"' in form
    client.post(f"/network-days/manage/days/{day.id}", data=_form(capacity="40", practice_substandards="2.10, 4.2"))
    db.session.expire_all()
    assert day.practice_standards == ["S1", "S4", "2.10", "4.2"] and day.capacity == 40


def test_an_edit_with_bad_input_changes_nothing(client, world):
    day = network_day(world, now=NOW)
    db.session.commit()
    sign_in(client, world.organiser)
    response = client.post(f"/network-days/manage/days/{day.id}", data=_form(capacity="0"))
    assert response.status_code == 400 and "govuk-error-summary" in response.get_data(as_text=True)
    db.session.expire_all()
    assert day.title == "Legal updates and pre-birth planning" and day.capacity == 3


def test_the_organiser_cancels_a_day_after_confirming(client, world):
    day = network_day(world, now=NOW)
    name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    sign_in(client, world.organiser)
    confirm = text_of(client.get(f"/network-days/manage/days/{day.id}/cancel").get_data(as_text=True))
    assert "Cancel Legal updates and pre-birth planning" in confirm and "1 person is named" in confirm
    assert day.status is EventStatus.PUBLISHED  # looking at the confirmation changes nothing
    response = client.post(f"/network-days/manage/days/{day.id}/cancel", data={"message": "The venue flooded."})
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "The Network Day is cancelled. 1 named person was told." in page
    assert "Legal updates and pre-birth planning Wednesday 16 June 2027" in page and "Cancelled" in page
    assert day.status is EventStatus.CANCELLED
    assert "Legal updates" not in client.get("/network-days/coram-network").get_data(as_text=True)


def test_a_day_that_has_ended_cannot_be_cancelled_from_its_page(client, world):
    day = network_day(world, now=NOW)
    db.session.commit()
    sign_in(client, world.organiser)
    page = text_of(client.get(f"/network-days/manage/days/{day.id}").get_data(as_text=True))
    assert "Cancel this Network Day" in page
    day.starts_at, day.ends_at = NOW - timedelta(days=1, hours=5), NOW - timedelta(days=1)  # it took place yesterday
    db.session.commit()
    page = text_of(client.get(f"/network-days/manage/days/{day.id}").get_data(as_text=True))
    assert "Cancel this Network Day" not in page
    response = client.post(f"/network-days/manage/days/{day.id}/cancel", data={"message": "Too late"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/manage/days/{day.id}")
    assert db.session.get(NetworkDay, day.id).status is EventStatus.PUBLISHED


def test_the_pages_the_demo_crawl_cannot_reach_are_valid_html(client, world, tmp_path):
    """The crawl sees the list and the new-day form; the demo has no Network Days to edit or cancel."""
    draft = network_day(world, now=NOW, publish=False)
    published = network_day(world, now=NOW, title="Summer Network Day")
    name_place(world.admin, published, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    db.session.commit()
    sign_in(client, world.organiser)
    pages = PageFolder(tmp_path / "pages")
    for url in (f"/network-days/manage/days/{draft.id}", f"/network-days/manage/days/{published.id}",
                f"/network-days/manage/days/{published.id}/cancel", f"/network-days/manage/days/{draft.id}/cancel"):
        response = client.get(url)
        assert response.status_code == 200, url
        pages.save(url, response.get_data())
    failed = client.post("/network-days/coram-network/manage/days/new", data=_form(title="", capacity="0"))
    pages.save("new day with errors", failed.get_data())
    client.post(f"/network-days/manage/days/{draft.id}/cancel", data={"message": ""})
    pages.save("a cancelled day", client.get(f"/network-days/manage/days/{draft.id}").get_data())
    assert pages.errors() == []
