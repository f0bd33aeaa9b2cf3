"""An invite email arrives over real SMTP in the shape Outlook, Gmail and Apple Mail treat as a meeting."""

from datetime import UTC, datetime, timedelta

import icalendar

from ep_events.extensions import db
from ep_events.notifications.calendar import CalendarEvent, build_cancellation, build_invite
from ep_events.notifications.outbox import queue_email

STARTS_AT = datetime(2026, 3, 31, 8, 30, tzinfo=UTC)  # 9:30am BST


def surgery(sequence=0) -> CalendarEvent:
    return CalendarEvent(
        uid="surgery-booking-42@ep-events.example.org", sequence=sequence,
        starts_at=STARTS_AT, ends_at=STARTS_AT + timedelta(minutes=40),
        summary="EP practice surgery (MTC)",
        description="Join on Microsoft Teams: https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0",
        location="Microsoft Teams", url="http://localhost/bookings/42",
        organizer_email="mtc-surgeries@example.org", organizer_name="MTC Early Permanence surgeries",
        attendees=(("Sam Worker", "sam.worker@example.org"),),
    )


def queue_invite(app, calendar: str, method: str):
    with app.test_request_context():
        message = queue_email("sam.worker@example.org", "notifications/invite", calendar=calendar,
                              calendar_method=method, subject="Your EP practice surgery is booked",
                              lines=["Your surgery is on Tuesday 31 March 2026 at 9:30am.",
                                     "Join on Microsoft Teams from the link in the calendar invite."],
                              url="http://localhost/bookings/42")
        db.session.commit()
        return message.message_id


def test_an_invite_email_is_text_html_and_calendar_alternatives_plus_an_ics_attachment(app, deliver):
    message_id = queue_invite(app, build_invite(surgery()), "REQUEST")

    (caught,) = deliver()
    mime = caught.message
    assert caught.recipients == ["sam.worker@example.org"]
    assert mime["Message-ID"] == message_id
    assert mime["Subject"] == "Your EP practice surgery is booked"
    assert mime.get_content_type() == "multipart/mixed"

    alternative, attachment = mime.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, calendar = alternative.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_filename() is None

    assert "Your surgery is on Tuesday 31 March 2026 at 9:30am." in plain.get_content()
    assert "http://localhost/bookings/42" in plain.get_content()
    assert '<a href="http://localhost/bookings/42">' in html.get_content()
    assert "<title>Your EP practice surgery is booked</title>" in html.get_content()

    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_disposition() == "attachment"

    for ics in (calendar.get_content(), attachment.get_content().decode("utf-8")):
        parsed = icalendar.Calendar.from_ical(ics)
        assert str(parsed["METHOD"]) == "REQUEST"
        (vevent,) = parsed.walk("VEVENT")
        assert str(vevent["UID"]) == "surgery-booking-42@ep-events.example.org"
        assert vevent.decoded("DTSTART") == STARTS_AT


def test_a_cancellation_email_carries_method_cancel_in_the_calendar_part(app, deliver):
    queue_invite(app, build_cancellation(surgery(sequence=1)), "CANCEL")

    (caught,) = deliver()
    calendar = next(p for p in caught.message.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "CANCEL"
    (vevent,) = icalendar.Calendar.from_ical(calendar.get_content()).walk("VEVENT")
    assert str(vevent["UID"]) == "surgery-booking-42@ep-events.example.org"
    assert int(vevent["SEQUENCE"]) == 1
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_an_email_without_a_calendar_is_just_text_and_html(app, deliver):
    with app.test_request_context():
        queue_email("sam.worker@example.org", "notifications/invite", subject="Your booking has changed",
                    lines=["Your surgery has moved."], url=None)
        db.session.commit()

    (caught,) = deliver()
    assert caught.message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in caught.message.get_payload()] == ["text/plain", "text/html"]
    assert "Your surgery has moved." in caught.text
    assert "<a href" not in caught.html
