"""The organiser's page for one Network Day: places per agency, free places, the waiting list, the attendee
list as CSV, and marking attendance after the day."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from ep_events.accounts.models import Role
from ep_events.bookings.models import Attendance, WaitlistStatus
from ep_events.extensions import db
from ep_events.network_days.capacity import free_places, free_places_for
from ep_events.network_days.memberships import add_membership, name_champion
from ep_events.network_days.models import NetworkPlace, NetworkWaitlistEntry, PlaceType
from ep_events.network_days.places import cancel_place, name_place
from tests import factories
from tests.conftest import sign_in
from tests.html_validator import PageFolder
from tests.network_days.conftest import network_day

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # before the June day (10am to 3:30pm BST: 9:00 to 14:30 UTC)
DURING = datetime(2027, 6, 16, 12, 0, tzinfo=UTC)
BEFORE = datetime(2027, 6, 16, 8, 59, tzinfo=UTC)
WHOLE_DAY = 330


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW):
        yield


@pytest.fixture
def day(world):
    """Capacity 6. Riverton (member): membership place named to Alice, its EP Champion, and an extra place
    for Bola. Southvale (member): membership place not named. "=cmd" (not a member): one extra place bought
    but not named yet. Southvale waiting for two extra places."""
    day = network_day(world, now=NOW, capacity=6)
    name_champion(world.admin, world.programme, world.agency, world.alice)
    name_place(world.admin, day, world.agency, world.alice, PlaceType.MEMBERSHIP, now=NOW)
    name_place(world.organiser, day, world.agency, world.bola, PlaceType.EXTRA, now=NOW)
    world.odd_agency = factories.organisation(name="=cmd")
    db.session.add(NetworkPlace(event=day, agency=world.odd_agency, place_type=PlaceType.EXTRA,
                                starts_at=day.starts_at, ends_at=day.ends_at))
    world.dee = factories.user(email="dee@example.org", name="Dee Dean", organisation_id=world.other_agency.id)
    db.session.add(NetworkWaitlistEntry(event_id=day.id, user_id=world.dee.id, agency_id=world.other_agency.id,
                                        quantity=2, status=WaitlistStatus.WAITING))
    db.session.commit()
    return day


def _places_url(day) -> str:
    return f"/network-days/manage/days/{day.id}/places"


def _place(day, person) -> NetworkPlace:
    return db.session.execute(select(NetworkPlace).where(NetworkPlace.event_id == day.id,
                                                         NetworkPlace.user_id == person.id)).scalar_one()


# --- Free places: the one rule -------------------------------------------------------------------

def test_free_places_are_capacity_less_places_taken_less_members_yet_to_name(world, day):
    # 6 places: 3 taken (Alice, Bola, the unnamed one), 1 held for Southvale, 2 free.
    assert free_places(day) == 2
    other_year = network_day(world, now=NOW, title="Next year", capacity=2, day=datetime(2027, 3, 31).date())
    assert free_places_for([day, other_year]) == {day.id: 2, other_year.id: 2}  # no members in 2026
    add_membership(world.organiser, world.programme, world.odd_agency, 2027)
    assert free_places(day) == 1
    cancel_place(world.organiser, _place(day, world.alice), now=NOW)
    assert free_places(day) == 1  # Riverton's membership place is free again, but held for it


def test_free_places_never_go_below_zero(world):
    day = network_day(world, now=NOW, capacity=1)
    db.session.add(NetworkPlace(event=day, agency=world.agency, place_type=PlaceType.EXTRA,
                                starts_at=day.starts_at, ends_at=day.ends_at))
    db.session.flush()
    assert free_places(day) == 0  # 1 - 1 taken - 2 members not named


# --- The page ------------------------------------------------------------------------------------

def test_the_organiser_sees_the_figures_places_per_agency_and_the_waiting_list(client, world, day):
    sign_in(client, world.organiser)
    manage = client.get("/network-days/coram-network/manage").get_data(as_text=True)
    assert f'href="{_places_url(day)}"' in manage
    response = client.get(_places_url(day))
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    assert "Capacity 6 places Places taken 3" in page
    assert "Held for members 1 member agency has not named their membership place Free places 2" in page
    assert "Waiting list 1 agency waiting" in page
    assert "=cmd Not a member this year Not named yet 1" in page
    assert "Riverton City Council Alice Adams EP Champion Bola Bello 2" in page
    assert "Southvale Borough Council Membership place not named None 0" in page
    assert "Southvale Borough Council 2 Dee Dean, dee@example.org Waiting" in page
    assert "You can mark attendance once the Network Day has started, from 10:00am on Wednesday 16 June 2027" in page
    assert "Alice Adams alice@example.org Riverton City Council Membership place Yes Not marked" in page


def test_the_page_is_valid_html_before_and_after_the_day_and_with_errors(client, world, day, tmp_path):
    pages = PageFolder(tmp_path / "pages")
    sign_in(client, world.organiser)
    pages.save("before", client.get(_places_url(day)).get_data())
    pages.save("edit", client.get(f"/network-days/manage/days/{day.id}").get_data())
    pages.save("manage", client.get("/network-days/coram-network/manage").get_data())
    with freeze_time(DURING):
        sign_in(client, world.organiser)  # a session signed in months before has expired
        pages.save("during", client.get(_places_url(day)).get_data())
        failed = client.post(f"/network-days/manage/days/{day.id}/attendance",
                             data={f"place_{_place(day, world.alice).id}": "attended",
                                   f"minutes_{_place(day, world.alice).id}": "9999"})
        assert failed.status_code == 400, failed.headers.get("Location")
        pages.save("errors", failed.get_data())
    assert pages.errors() == []


# --- The CSV -------------------------------------------------------------------------------------

def test_the_attendee_list_downloads_as_a_spreadsheet_safe_csv(client, world, day):
    sign_in(client, world.organiser)
    response = client.get(f"/network-days/manage/days/{day.id}/attendees.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="network-day-2027-06-16-attendees.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows == [
        ["Agency", "Name", "Email", "Organisation", "Place type", "EP Champion", "Attendance", "Minutes attended"],
        ["'=cmd", "Not named yet", "", "", "Extra place", "No", "Not marked", ""],
        ["Riverton City Council", "Alice Adams", "alice@example.org", "Riverton City Council", "Membership place",
         "Yes", "Not marked", ""],
        ["Riverton City Council", "Bola Bello", "bola@example.org", "Riverton City Council", "Extra place", "No",
         "Not marked", ""],
    ]


# --- Attendance ----------------------------------------------------------------------------------

def test_the_organiser_marks_attendance_once_the_day_has_started(client, world, day):
    alice, bola = _place(day, world.alice), _place(day, world.bola)
    with freeze_time(DURING):
        sign_in(client, world.organiser)
        form = client.get(_places_url(day)).get_data(as_text=True)
        assert f'name="minutes_{alice.id}"' in form and f'value="{WHOLE_DAY}"' in form
        response = client.post(f"/network-days/manage/days/{day.id}/attendance",
                               data={f"place_{alice.id}": "attended", f"minutes_{alice.id}": str(WHOLE_DAY),
                                     f"place_{bola.id}": "attended", f"minutes_{bola.id}": "120"})
        assert response.status_code == 302
        page = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Attendance saved for 2 people." in page
    assert "Alice Adams alice@example.org Riverton City Council Membership place Yes Attended (330 minutes)" in page
    assert "Bola Bello bola@example.org Riverton City Council Extra place No Attended (120 minutes)" in page
    db.session.expire_all()
    assert (alice.attendance, alice.attended_minutes, alice.attendance_marked_by_id) == (
        Attendance.ATTENDED, WHOLE_DAY, world.organiser.id)
    assert alice.attendance_marked_at == DURING
    with freeze_time(DURING):
        sign_in(client, world.organiser)
        client.post(f"/network-days/manage/days/{day.id}/attendance",
                    data={f"place_{bola.id}": "did_not_attend", f"minutes_{bola.id}": ""})
        rows = list(csv.reader(io.StringIO(client.get(f"/network-days/manage/days/{day.id}/attendees.csv")
                                           .get_data().decode("utf-8-sig"))))
    db.session.expire_all()
    assert (bola.attendance, bola.attended_minutes) == (Attendance.DID_NOT_ATTEND, None)
    assert rows[2][-2:] == ["Attended", "330"] and rows[3][-2:] == ["Did not attend", ""]
    assert rows[1][1] == "Nobody named (or their account was deleted)"  # after the start, it could be either


def test_empty_minutes_mean_the_whole_day(client, world, day):
    alice = _place(day, world.alice)
    with freeze_time(DURING):
        sign_in(client, world.organiser)
        assert client.post(f"/network-days/manage/days/{day.id}/attendance",
                           data={f"place_{alice.id}": "attended", f"minutes_{alice.id}": ""}).status_code == 302
    db.session.expire_all()
    assert alice.attended_minutes == WHOLE_DAY


def test_attendance_cannot_be_marked_before_the_day_starts(client, world, day):
    alice = _place(day, world.alice)
    with freeze_time(BEFORE):
        sign_in(client, world.organiser)
        response = client.post(f"/network-days/manage/days/{day.id}/attendance",
                               data={f"place_{alice.id}": "attended", f"minutes_{alice.id}": "330"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "govuk-error-summary" in body
    assert "You can mark attendance once the Network Day has started, at 10:00am on Wednesday 16 June 2027" in (
        text_of(body))
    db.session.expire_all()
    assert alice.attendance is Attendance.UNKNOWN


@pytest.mark.parametrize("bad", [
    "another day", "cancelled", "made up", "huge id", "minutes too many", "minutes huge", "minutes arabic",
    "minutes zero", "not a choice",
])
def test_bad_or_tampered_attendance_shows_the_error_summary_and_saves_nothing(client, world, day, bad):
    alice, bola = _place(day, world.alice), _place(day, world.bola)
    other = network_day(world, now=NOW, title="Autumn", day=datetime(2027, 10, 13).date())
    chen = name_place(world.other_admin, other, world.other_agency, world.chen, PlaceType.MEMBERSHIP, now=NOW)
    cancel_place(world.organiser, bola, now=NOW)
    db.session.commit()
    good = {f"place_{alice.id}": "attended", f"minutes_{alice.id}": "330"}
    data = good | {
        "another day": {f"place_{chen.id}": "attended"},
        "cancelled": {f"place_{bola.id}": "attended"},
        "made up": {"place_999999": "did_not_attend"},
        "huge id": {f"place_{2**63}": "attended", f"minutes_{2**63}": "1"},
        "minutes too many": {f"minutes_{alice.id}": "331"},
        "minutes huge": {f"minutes_{alice.id}": str(2**63)},
        "minutes arabic": {f"minutes_{alice.id}": "١٢٠"},
        "minutes zero": {f"minutes_{alice.id}": "0"},
        "not a choice": {f"place_{alice.id}": "maybe"},
    }[bad]
    with freeze_time(datetime(2027, 10, 13, 12, 0, tzinfo=UTC)):
        sign_in(client, world.organiser)  # both days have started
        response = client.post(f"/network-days/manage/days/{day.id}/attendance", data=data)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.get_data(as_text=True)
    db.session.expire_all()
    assert alice.attendance is Attendance.UNKNOWN and chen.attendance is Attendance.UNKNOWN


def test_a_nul_byte_in_the_attendance_form_is_refused_and_saves_nothing(client, world, day):
    alice = _place(day, world.alice)
    with freeze_time(DURING):
        sign_in(client, world.organiser)
        response = client.post(f"/network-days/manage/days/{day.id}/attendance",
                               data={f"place_{alice.id}": "attended\x00", f"minutes_{alice.id}": "3\x000"})
    assert response.status_code == 400
    db.session.expire_all()
    assert alice.attendance is Attendance.UNKNOWN


# --- Who may -------------------------------------------------------------------------------------

def test_only_the_programmes_organisers_and_admins_see_the_page_csv_and_attendance(client, world, day):
    alice = _place(day, world.alice)
    other = factories.programme(kind="network_days", slug="other-network")
    other_organiser = factories.user(roles=[(Role.ORGANISER, other)])
    site_admin = factories.admin()
    db.session.commit()
    urls = (_places_url(day), f"/network-days/manage/days/{day.id}/attendees.csv")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    with freeze_time(DURING):
        for person in (world.alice, world.admin, other_organiser):
            sign_in(client, person)
            for url in urls:
                assert client.get(url).status_code == 403, (person.email, url)
            assert client.post(f"/network-days/manage/days/{day.id}/attendance",
                               data={f"place_{alice.id}": "attended"}).status_code == 403
            client.post("/sign-out")
        db.session.expire_all()
        assert alice.attendance is Attendance.UNKNOWN
        sign_in(client, site_admin)
        for url in urls:
            assert client.get(url).status_code == 200
        assert client.get("/network-days/manage/days/999999/places").status_code == 404
        assert client.get(f"/network-days/manage/days/{2**63}/attendees.csv").status_code == 404
