"""The page after booking: the booking as entered, what happens next, and the calendar invite to download."""

import pytest
from icalendar import Calendar
from sqlalchemy import select

from ep_events.core.urls import external_url
from ep_events.extensions import db
from ep_events.surgeries.booking_changes import cancel_booking, move_booking
from ep_events.surgeries.models import SurgeryBooking
from ep_events.surgeries.settings import get_settings
from tests import factories
from tests.conftest import sign_in


@pytest.fixture
def booked(app, client):
    programme = factories.surgery_programme(slug="mtc")
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    person = factories.user(email="booker@example.org")
    db.session.commit()
    sign_in(client, person)
    response = client.post(f"/surgeries/slots/{surgery_date.slots[0].id}/book", data={
        "theme": "legal-cafcass", "outline": "Court asked for a further assessment.\nHow do we reply?",
        "colleague1_name": "Cal Colleague", "colleague1_email": "cal@example.org"})
    assert response.status_code == 302
    booking = db.session.execute(select(SurgeryBooking)).scalar_one()
    return booking, response.headers["Location"]


def test_confirmation_shows_the_booking_as_entered_and_what_happens_next(client, booked):
    booking, location = booked
    body = client.get(location).get_data(as_text=True)
    assert "Surgery booked" in body
    assert "Court asked for a further assessment.<br>How do we reply?" in body
    assert "Have you experienced difficulties with legal backing an EP care planning decision" in body
    assert "Cal Colleague (cal@example.org)" in body
    assert "What happens next" in body
    assert "Check your inbox for the confirmation email" in body
    assert "The Microsoft Teams joining link is not set yet. When the facilitators add it, we will email it" in body
    assert "We will email you a reminder 24 hours and 1 hour before the surgery." in body
    assert f'href="/bookings/{booking.id}">your booking</a> at any time before the surgery starts' in body
    assert f'href="/bookings/{booking.id}/invite.ics" download>Download the calendar invite' in body


def test_confirmation_follows_the_programmes_reminders_and_a_known_teams_link(client, booked):
    booking, location = booked
    booking.slot.surgery_date.teams_url = factories.TEAMS_URL
    get_settings(booking.slot.surgery_date.programme).reminder_hours = [2, 48]
    db.session.commit()
    body = client.get(location).get_data(as_text=True)
    assert "We will email you a reminder 48 hours and 2 hours before the surgery." in body
    assert "not set yet" not in body
    assert "Join the surgery on Microsoft Teams" in body


def test_an_outline_is_shown_escaped(client, app):
    programme = factories.surgery_programme(slug="mtc")
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    person = factories.user()
    db.session.commit()
    sign_in(client, person)
    location = client.post(f"/surgeries/slots/{surgery_date.slots[0].id}/book",
                           data={"theme": "general", "outline": "<b>bold</b>"}).headers["Location"]
    body = client.get(location).get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt;" in body and "<b>bold</b>" not in body


def test_calendar_download_is_the_emailed_invite_for_the_booker_only(client, booked, deliver):
    booking, _ = booked
    emailed = next(m for m in deliver() if m.recipients == ["booker@example.org"])
    invite = next(iter(Calendar.from_ical(emailed.part("text/calendar")).walk("VEVENT")))

    response = client.get(f"/bookings/{booking.id}/invite.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="ep-surgery-{booking.slot.surgery_date.day.isoformat()}.ics"'
    calendar = Calendar.from_ical(response.get_data(as_text=True))
    assert str(calendar["METHOD"]) == "PUBLISH"
    event, = calendar.walk("VEVENT")
    assert str(event["UID"]) == str(invite["UID"]) == booking.uid
    assert int(event["SEQUENCE"]) == int(invite["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == invite.decoded("DTSTART") == booking.slot.starts_at
    assert event.decoded("DTEND") == booking.slot.ends_at
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "ATTENDEE" not in event  # a download is the booker's own copy: no colleague addresses in it

    other = factories.user()
    db.session.commit()
    client.post("/sign-out")
    sign_in(client, other)
    assert client.get(f"/bookings/{booking.id}/invite.ics").status_code == 404


def test_calendar_download_follows_a_move_and_stops_after_cancelling(client, booked):
    booking, _ = booked
    move_booking(booking, booking.slot.surgery_date.slots[1], booking.user)
    db.session.commit()
    event, = Calendar.from_ical(client.get(f"/bookings/{booking.id}/invite.ics").get_data(as_text=True)).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1 and event.decoded("DTSTART") == booking.slot.starts_at
    cancel_booking(booking, booking.user)
    db.session.commit()
    assert client.get(f"/bookings/{booking.id}/invite.ics").status_code == 404


def test_cancellation_email_links_to_the_programmes_dates(client, booked, deliver, mailbox):
    booking, _ = booked
    deliver()
    mailbox.clear()
    assert client.post(f"/bookings/{booking.id}/cancel", data={}).status_code == 302
    cancelled = next(m for m in deliver() if m.recipients == ["booker@example.org"])
    dates_url = external_url("surgeries.programme_slots", slug="mtc")
    assert cancelled.subject.startswith("Surgery cancelled")
    assert f"To book another surgery, see the dates with free slots:\r\n{dates_url}\r\n" in cancelled.text
    assert f'<a href="{dates_url}">{dates_url}</a>' in cancelled.part("text/html")
