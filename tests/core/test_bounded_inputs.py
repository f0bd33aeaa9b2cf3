"""The inputs from issue 10 that gave a 500: each is now a 404 or a 400 with the usual words."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.programmes.models import Programme
from ep_events.surgeries.models import SurgeryDate
from tests import factories
from tests.conftest import sign_in

BAD_REQUEST = "Sorry, there is a problem with your request"


def test_a_page_number_in_other_digits_or_too_big_shows_the_first_page(client):
    programme = factories.surgery_programme()
    db.session.commit()
    for page in ("²", "١", str(2**63), "-1", "0"):
        response = client.get(f"/surgeries/{programme.slug}?page={page}")
        assert response.status_code == 200, page
        assert programme.name in response.get_data(as_text=True)


@pytest.mark.parametrize("event_id", ["surgery-date-²", "surgery-date-١", f"surgery-date-{2**63}",
                                      f"surgery-date-{2**31}", "surgery-date-+1", "surgery-date- 1"])
def test_an_api_event_id_in_other_digits_or_too_big_is_not_found(client, event_id):
    programme = factories.surgery_programme()
    factories.surgery_date(programme, day=_weekday(10))
    db.session.commit()
    response = client.get(f"/api/v1/events/{event_id}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1999-12-31", "２０２６-01-01", "20260101"])
def test_an_api_date_filter_outside_the_years_allowed_is_a_bad_parameter(client, value):
    response = client.get(f"/api/v1/events?from={value}")
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "bad_parameter", "parameter": "from",
        "message": "from must be a date in the form YYYY-MM-DD, in the years 2000 to 2100"}


def test_a_nul_byte_in_the_path_query_or_form_is_a_friendly_400_for_anonymous_visitors(client):
    for response in (client.get("/surgeries/mtc%00"), client.get("/?next=%00"),
                     client.post("/sign-in", data={"email": "a\x00@example.org", "password": "x"})):
        assert response.status_code == 400
        assert BAD_REQUEST in response.get_data(as_text=True)


def test_a_nul_byte_sent_to_the_api_is_a_json_400(client):
    response = client.get("/api/v1/events?programme=%00")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_a_lone_surrogate_in_a_json_body_is_a_friendly_400(client):
    # JSON's \ud800 escape is the one way a lone surrogate reaches the site (UTF-8 cannot carry it).
    response = client.post("/sign-in", data=json.dumps({"email": "\ud800@example.org", "password": "x"}),
                           content_type="application/json")
    assert response.status_code == 400 and BAD_REQUEST in response.get_data(as_text=True)


@pytest.mark.postgres
def test_a_nul_byte_on_postgresql_is_a_friendly_400_not_a_database_error(pg_app):
    client = pg_app.test_client()
    for response in (client.get("/surgeries/mtc%00"), client.get("/calendar/abc%00.ics"),
                     client.get("/admin/users?q=%00"),
                     client.post("/sign-in", data={"email": "a\x00@example.org", "password": "x"}),
                     client.post("/forgot-password", data={"email": "a\x00@example.org"})):
        assert response.status_code == 400
        assert BAD_REQUEST in response.get_data(as_text=True)


@pytest.mark.postgres
def test_an_id_past_postgresqls_integer_is_page_not_found(pg_app):
    client = pg_app.test_client()
    admin = factories.admin()
    db.session.commit()
    sign_in(client, admin)
    for url in (f"/admin/users/{2**31}", f"/offers/{2**31}", f"/bookings/{2**63}",
                f"/surgeries/slots/{2**31}/book"):
        response = client.get(url)
        assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


# --- Forms --------------------------------------------------------------------------------------

def _weekday(days_ahead: int):
    day = (utcnow() + timedelta(days=days_ahead)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def facilitator_client(client):
    programme = factories.surgery_programme()
    facilitator = factories.user(roles=[(Role.FACILITATOR, programme)])
    db.session.commit()
    sign_in(client, facilitator)
    client.programme = programme
    return client


def _new_date(client, data):
    return client.post(f"/surgeries/{client.programme.slug}/manage/dates/new", data=data)


def _dates() -> int:
    return db.session.execute(select(func.count(SurgeryDate.id))).scalar_one()


@pytest.mark.parametrize("parts, message", [
    ([], "Enter the date of the surgery"),
    (["16"], "Enter a real date, like 16 6 2027"),
    (["16", "6"], "Enter a real date, like 16 6 2027"),
    (["16", "6", "2027", "1"], "Enter a real date, like 16 6 2027"),
    (["31", "12", "9999"], "Enter a date in the years 2000 to 2100"),
    (["1", "1", "1999"], "Enter a date in the years 2000 to 2100"),
    (["1", "1", "9" * 30], "Enter a real date, like 16 6 2027"),
])
def test_a_surgery_date_sent_the_wrong_number_of_times_or_out_of_range_is_a_form_error(
        facilitator_client, parts, message):
    response = _new_date(facilitator_client, {"day": parts, "session": "am"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body and message in body
    assert _dates() == 0


@pytest.mark.parametrize("value", ["99999999999999999999:00", "١٠:٠٠", "24:00", "10:60", "-1:00", "1" * 5000])
def test_a_custom_window_time_out_of_range_is_a_form_error(facilitator_client, value):
    day = _weekday(30)
    response = _new_date(facilitator_client, {"day": [str(day.day), str(day.month), str(day.year)],
                                              "session": "custom", "custom_starts": value, "custom_ends": "12:00"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body and "start time as a time, like 9:30am or 2pm" in body
    assert _dates() == 0


def test_an_organisers_session_times_and_numbers_out_of_range_are_form_errors(client):
    programme = factories.surgery_programme()
    organiser = factories.user(roles=[(Role.ORGANISER, programme)])
    db.session.commit()
    sign_in(client, organiser)
    response = client.post(f"/surgeries/{programme.slug}/settings", data={
        "slot_minutes": str(2**63), "buffer_minutes": "0", "booking_close_hours": "24", "max_upcoming_bookings": "3",
        "offer_hours": "12", "outline_retention_days": "30", "am_starts": "99999999999999999999:00",
        "am_ends": "12:30", "pm_starts": "13:30", "pm_ends": "16:30", "reminder_hours": f"24, {2**63}"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in body
    assert "Each reminder must be between 1 hour and 14 days before" in body
    assert "like 9:30am or 2pm" in body


def test_a_sign_in_address_of_100000_characters_is_a_form_error(client):
    response = client.post("/sign-in", data={"email": "a" * 100_000 + "@example.org", "password": "x"})
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Programme.id))).scalar_one() == 0
