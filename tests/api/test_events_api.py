"""The read-only events API and its OpenAPI 3.1 document."""

from datetime import datetime, timedelta

import pytest

from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.dates import remove_slot
from ep_events.surgeries.settings import get_settings
from tests import factories


@pytest.fixture
def events(app):
    mtc = factories.surgery_programme(slug="mtc", name="MTC surgeries")
    other = factories.surgery_programme(slug="other", name="Other surgeries")
    soon = factories.surgery_date(mtc, days_ahead=5)
    later = factories.surgery_date(mtc, days_ahead=40)
    elsewhere = factories.surgery_date(other, days_ahead=20)
    factories.surgery_date(mtc, days_ahead=8, publish=False)  # drafts are not public
    book_slot(soon.slots[0], factories.user(), "general")
    db.session.commit()
    return soon, later, elsewhere


def test_events_lists_upcoming_events_of_all_programmes(client, events):
    soon, later, elsewhere = events
    body = client.get("/api/v1/events").get_json()
    assert [e["id"] for e in body] == [f"surgery-date-{d.id}" for d in (soon, elsewhere, later)]
    first = body[0]
    assert first["programme"] == {"slug": "mtc", "name": "MTC surgeries"}
    assert first["places_left"] == 2
    assert datetime.fromisoformat(first["starts_at"]) == soon.starts_at
    assert first["starts_at"].endswith("+00:00")
    assert first["url"].endswith(f"/surgeries/mtc#date-{soon.id}")
    assert set(first) == {"id", "kind", "programme", "title", "starts_at", "ends_at", "online", "venue",
                          "places_left", "url", "details"}
    # The fields surgeries add, named in the OpenAPI document's schema for this kind.
    assert (first["kind"], first["online"], first["venue"]) == ("practice_surgeries", True, None)
    assert first["details"] == {"session": soon.session.value, "slot_minutes": 40}


def test_events_filter_by_programme_and_dates(client, events):
    soon, later, elsewhere = events
    assert [e["id"] for e in client.get("/api/v1/events?programme=other").get_json()] == [
        f"surgery-date-{elsewhere.id}"]
    start = (utcnow() + timedelta(days=30)).date().isoformat()
    assert [e["id"] for e in client.get(f"/api/v1/events?from={start}").get_json()] == [f"surgery-date-{later.id}"]
    end = (utcnow() + timedelta(days=10)).date().isoformat()
    assert [e["id"] for e in client.get(f"/api/v1/events?to={end}").get_json()] == [f"surgery-date-{soon.id}"]


@pytest.mark.parametrize("query, parameter", [
    ("from=yesterday", "from"), ("to=2026-13-01", "to"), ("programme=nope", "programme"),
    ("from=2027-02-01&to=2027-01-01", "to"), ("colour=blue", "colour"),
])
def test_bad_parameters_get_a_json_400(client, events, query, parameter):
    response = client.get(f"/api/v1/events?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_one_event_and_unknown_ids(client, events):
    soon, *_ = events
    response = client.get(f"/api/v1/events/surgery-date-{soon.id}")
    assert response.status_code == 200 and response.get_json()["id"] == f"surgery-date-{soon.id}"
    for unknown in ("surgery-date-99999", "nonsense", "surgery-date-abc"):
        missing = client.get(f"/api/v1/events/{unknown}")
        assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_openapi_document_describes_the_responses_exactly(client, events):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    schema = document["components"]["schemas"]["Event"]
    item = client.get("/api/v1/events").get_json()[0]
    assert set(schema["required"]) == set(item) == set(schema["properties"])
    assert set(schema["properties"]["programme"]["required"]) == set(item["programme"])
    # `details` is one of the kinds' schemas; the surgeries' one names exactly the fields surgeries send.
    details = document["components"]["schemas"]["practice_surgeries_details"]
    assert {"$ref": "#/components/schemas/practice_surgeries_details"} in schema["properties"]["details"]["oneOf"]
    assert set(details["required"]) == set(details["properties"]) == set(item["details"])
    assert set(document["paths"]) == {"/api/v1/events", "/api/v1/events/{id}"}
    params = {p["name"] for p in document["paths"]["/api/v1/events"]["get"]["parameters"]}
    assert params == {"programme", "from", "to"}


def test_the_api_never_answers_500_to_odd_input(client, events):
    for url in ("/api/v1/events?from=", "/api/v1/events?programme=", "/api/v1/events/%00",
                "/api/v1/events?from=2027-01-01T00:00", "/api/v1/events/" + "9" * 40):
        assert client.get(url).status_code in (200, 400, 404), url




def test_places_left_follow_each_programmes_own_booking_close_and_skip_removed_slots(client, events):
    """The API counts free places by the same rule as the slot picker, with each programme's own close."""
    soon, later, elsewhere = events
    get_settings(elsewhere.programme).booking_close_hours = 24 * 30  # its date, 20 days away, has closed
    remove_slot(None, later.slots[0])
    db.session.commit()
    places = {e["id"]: e["places_left"] for e in client.get("/api/v1/events").get_json()}
    assert places == {f"surgery-date-{soon.id}": 2, f"surgery-date-{later.id}": 2,
                      f"surgery-date-{elsewhere.id}": 0}
