"""Personal calendar feed (secret address, same UIDs as invites) and public programme feeds."""

from icalendar import Calendar

from ep_events.accounts.services import regenerate_feed_token
from ep_events.extensions import db
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from tests import factories
from tests.conftest import sign_in
from tests.ics import both_readings


def test_personal_feed_lists_confirmed_bookings_with_their_invite_uids(app, client):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10, teams_url=factories.TEAMS_URL)
    person = factories.user()
    kept, _ = book_slot(surgery_date.slots[0], person, "general", outline="Private outline")
    dropped, _ = book_slot(surgery_date.slots[1], person, "general")
    cancel_booking(dropped, person)
    token = regenerate_feed_token(person)
    db.session.commit()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    events = list(Calendar.from_ical(text).walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [kept.uid]
    assert events[0].decoded("DTSTART") == surgery_date.slots[0].starts_at
    assert "Private outline" not in text
    _, parsed = both_readings(text)
    assert [e["uid"] for e in parsed["events"]] == [kept.uid]
    assert parsed["events"][0]["start"] == surgery_date.slots[0].starts_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_regenerating_the_feed_address_revokes_the_old_one(app, client):
    person = factories.user()
    db.session.commit()
    sign_in(client, person)
    page = client.get("/account").get_data(as_text=True)
    assert "Create my calendar address" in page
    client.post("/account/calendar-feed")
    db.session.refresh(person)
    old = person.feed_token
    assert f"/calendar/{old}.ics" in client.get("/account").get_data(as_text=True)
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    client.post("/account/calendar-feed")
    db.session.refresh(person)
    assert person.feed_token != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{person.feed_token}.ics").status_code == 200


def test_an_unknown_feed_address_is_not_found(client):
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_programme_feed_is_public_with_events_only(app, client):
    programme = factories.surgery_programme(slug="mtc")
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    person = factories.user(email="private-person@example.org", name="Private Person")
    book_slot(surgery_date.slots[0], person, "general")
    db.session.commit()
    response = client.get("/programmes/mtc/events.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    assert "private-person@example.org" not in text and "Private Person" not in text
    assert "ATTENDEE" not in text
    events = list(Calendar.from_ical(text).walk("VEVENT"))
    assert len(events) == 1 and events[0].decoded("DTSTART") == surgery_date.starts_at
    assert "2 places left" in str(events[0]["DESCRIPTION"])
    assert both_readings(text)[1]["events"][0]["uid"] == str(events[0]["UID"])
    assert client.get("/programmes/nope/events.ics").status_code == 404
