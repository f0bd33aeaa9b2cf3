"""Issue 12's proof of the seam: a programme kind defined only here, in a few dozen lines, appears in My
bookings, the personal feed, reminders, attendance, account deletion, "download my data" and the API,
with no change outside the tests.

"Reading circles" maps onto the shared tables by single-table inheritance (no table of its own, so no
schema change) and implements ProgrammeKindSpec with the notifications package's generic email.
"""

import io
import json
import re
import zipfile
from datetime import datetime, timedelta

import pytest
from flask import current_app
from icalendar import Calendar
from sqlalchemy import event, func, select
from sqlalchemy.orm import selectinload

from ep_events.accounts.models import User
from ep_events.accounts.services import regenerate_feed_token
from ep_events.bookings import kinds
from ep_events.bookings.kinds import ApiField
from ep_events.bookings.mine import my_bookings
from ep_events.bookings.models import Attendance, Event, EventStatus, Place, PlaceStatus
from ep_events.bookings.people import delete_account
from ep_events.bookings.reminders import send_due_reminders
from ep_events.core.time import uk_datetime, utcnow
from ep_events.extensions import db
from ep_events.notifications.calendar import CalendarEvent, build_cancellation
from ep_events.notifications.models import OutboxMessage
from ep_events.notifications.outbox import queue_email
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.settings import get_settings
from tests import factories
from tests.conftest import sign_in

# --- The kind: everything a new programme needs, and nothing outside this file ----------------------

KEY = "test_circle_kind"


class CircleEvent(Event):
    __mapper_args__ = {"polymorphic_identity": "test_circle"}


class CirclePlace(Place):
    __mapper_args__ = {"polymorphic_identity": "test_circle_place"}


class ReadingCircles:
    key = KEY
    label = "Reading circles"
    cpd_type = "Other"
    themes = ()
    event_identity = "test_circle"
    place_identity = "test_circle_place"
    waitlist_identity = None
    api_fields = (ApiField("book", "string", "How to join the circle"),)

    def place_url(self, place_id: int) -> str:
        return f"/circles/places/{place_id}"

    def event_url(self, event, external: bool = False) -> str:
        return (current_app.config["BASE_URL"] if external else "") + f"/circles/{event.id}"

    def public_title(self, event) -> str:
        return f"Reading circle: {event.title}"

    def waitlist_url(self, entry_id: int) -> str:
        return ""

    def leave_waitlist_url(self, entry_id: int) -> str:
        return ""

    def calendar_events(self, place_ids: list[int]) -> list[CalendarEvent]:
        places = db.session.execute(select(CirclePlace).where(CirclePlace.id.in_(place_ids)).options(
            selectinload(CirclePlace.event).selectinload(Event.programme))).scalars()
        return [self._calendar_event(place) for place in places]

    def _calendar_event(self, place) -> CalendarEvent:
        programme = place.event.programme
        return CalendarEvent(
            uid=place.uid, sequence=place.sequence, starts_at=place.starts_at, ends_at=place.ends_at,
            summary=self.public_title(place.event), description="Bring the book.", location=place.event.venue,
            url=None, organizer_email=programme.contact_email, organizer_name=programme.name,
            status="CONFIRMED" if place.is_confirmed else "CANCELLED")

    def reminder_hours(self, programme) -> list[int]:
        return [24]

    def send_reminder(self, place_id: int, hours: int) -> None:
        place = db.session.get(CirclePlace, place_id)
        queue_email(place.user.email, "notifications/invite", subject=f"Reminder: {place.event.title} tomorrow",
                    lines=[f"Your reading circle meets in {hours} hours."], url=None)

    def places_left(self, events: list, now: datetime):
        taken = select(func.count(Place.id)).where(
            Place.event_id == Event.id, Place.status == PlaceStatus.CONFIRMED).scalar_subquery()
        return select(Event.id, Event.capacity - taken).where(Event.id.in_([e.id for e in events]))

    def api_values(self, event) -> dict:
        return {"book": f"Email {event.programme.contact_email}"}

    def release_person(self, user, now: datetime) -> int:
        places = db.session.execute(select(CirclePlace).where(
            CirclePlace.user_id == user.id, CirclePlace.status == PlaceStatus.CONFIRMED,
            CirclePlace.starts_at > now)).scalars().all()
        for place in places:
            place.cancel(now, user, "The member's account was deleted")
            queue_email(user.email, "notifications/invite", calendar_method="CANCEL",
                        calendar=build_cancellation(self._calendar_event(place)),
                        subject=f"Cancelled: {place.event.title}", lines=["Your place is cancelled."], url=None)
        db.session.flush()
        return len(places)

    def personal_data(self, user) -> dict[str, list[dict]]:
        places = db.session.execute(select(CirclePlace).where(CirclePlace.user_id == user.id)).scalars()
        return {"circle_notes": [{"place": place.id, "circle": place.event.title} for place in places]}


# --- Fixtures -----------------------------------------------------------------------------------

def on_the_hour(days: int) -> datetime:
    """A whole hour this many days from now: far enough from any hour the tests run at."""
    return (utcnow() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def circle_event(programme, title: str, days: int, capacity: int = 8) -> CircleEvent:
    starts_at = on_the_hour(days)
    circle = CircleEvent(programme=programme, title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                         status=EventStatus.PUBLISHED, venue="The Library, Leeds", capacity=capacity)
    db.session.add(circle)
    db.session.flush()
    return circle


def circle_place(circle: CircleEvent, user) -> CirclePlace:
    place = CirclePlace(event=circle, user=user, starts_at=circle.starts_at, ends_at=circle.ends_at)
    db.session.add(place)
    db.session.flush()
    return place


@pytest.fixture
def circles(app):
    """The kind registered as create_app registers real ones; a circle five days ahead with two members."""
    kinds.register(ReadingCircles())
    try:
        programme = factories.programme(kind=KEY, name="Reading circles North", slug="circles-north")
        meeting = circle_event(programme, "The Body Keeps the Score", days=5)
        reader, other = factories.user(email="reader@example.org"), factories.user(email="other@example.org")
        place = circle_place(meeting, reader)
        circle_place(meeting, other)
        db.session.commit()
        yield {"programme": programme, "event": meeting, "reader": reader, "other": other, "place": place}
    finally:
        kinds.unregister(KEY)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def table_rows(html: str, heading: str) -> list[str]:
    """The rows of the table under a heading of My bookings, as a person reads them."""
    section = html.split(f">{heading}</h2>", 1)[1].split("</table>", 1)[0]
    return [text_of(row) for row in re.findall(r"<tbody.*?</tbody>", section, re.S)[0].split("</tr>") if
            text_of(row)]


# --- The proof ------------------------------------------------------------------------------------

def test_my_bookings_lists_the_circle_place_with_a_surgery_booking_soonest_first(client, circles):
    surgery = factories.surgery_date(factories.surgery_programme(name="MTC surgeries"), days_ahead=10)
    booking, _ = book_slot(surgery.slots[0], circles["reader"], "general")
    db.session.commit()
    sign_in(client, circles["reader"])
    html = client.get("/bookings").get_data(as_text=True)
    place = circles["place"]
    first, second = table_rows(html, "Upcoming")
    assert first.startswith(uk_datetime(place.starts_at))
    assert first.endswith("The Body Keeps the Score Reading circles North Booked")
    assert second.startswith(uk_datetime(booking.starts_at)) and second.endswith("MTC surgeries Booked")
    assert f'href="/circles/places/{place.id}"' in html and f'href="/bookings/{booking.id}"' in html


def test_the_personal_feed_carries_the_circle_place_with_its_uid(client, circles):
    token = regenerate_feed_token(circles["reader"])
    db.session.commit()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    events = list(Calendar.from_ical(response.get_data(as_text=True)).walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [circles["place"].uid]
    assert str(events[0]["SUMMARY"]) == "Reading circle: The Body Keeps the Score"
    assert events[0].decoded("DTSTART") == circles["place"].starts_at


def test_the_circle_reminder_goes_once_a_day_before(app, circles):
    def reminders():
        return db.session.execute(select(OutboxMessage.recipient).where(
            OutboxMessage.subject == "Reminder: The Body Keeps the Score tomorrow")
            .order_by(OutboxMessage.recipient)).scalars().all()

    starts_at = circles["event"].starts_at
    assert send_due_reminders(now=starts_at - timedelta(hours=25)) == 0
    assert send_due_reminders(now=starts_at - timedelta(hours=23)) == 2
    assert send_due_reminders(now=starts_at - timedelta(hours=23)) == 0
    assert reminders() == ["other@example.org", "reader@example.org"]


def test_attendance_at_a_past_circle_shows_in_my_bookings(client, circles):
    past = circle_event(circles["programme"], "Middlemarch", days=-7)
    place = circle_place(past, circles["reader"])
    facilitator = factories.user()
    marked_at = past.ends_at + timedelta(hours=1)
    place.mark_attendance(Attendance.ATTENDED, by=facilitator, at=marked_at, minutes=90)
    db.session.commit()
    sign_in(client, circles["reader"])
    html = client.get("/bookings").get_data(as_text=True)
    [row] = table_rows(html, "Past and cancelled")
    assert row.startswith(uk_datetime(past.starts_at)) and row.endswith("Middlemarch Reading circles North Attended")
    assert f'href="/circles/places/{place.id}"' in html
    db.session.expire_all()
    stored = db.session.get(Place, place.id)
    assert (stored.attended_minutes, stored.attendance_marked_by_id, stored.attendance_marked_at) == (
        90, facilitator.id, marked_at)


def test_deleting_an_account_releases_the_circle_place_and_keeps_the_others(client, circles, deliver):
    reader, uid = circles["reader"], circles["place"].uid
    assert client.get("/api/v1/events").get_json()[0]["places_left"] == 6
    delete_account(reader, factories.PASSWORD)
    db.session.commit()
    assert db.session.get(User, reader.id) is None
    # The release cancelled the place properly: the calendar entry is removed, and the place is free again.
    cancellation = [m for m in deliver() if m.subject == "Cancelled: The Body Keeps the Score"]
    assert [m.recipients for m in cancellation] == [["reader@example.org"]]
    calendar = Calendar.from_ical(cancellation[0].part("text/calendar"))
    assert str(calendar["METHOD"]) == "CANCEL" and [str(e["UID"]) for e in calendar.walk("VEVENT")] == [uid]
    assert client.get("/api/v1/events").get_json()[0]["places_left"] == 7
    # Reports keep the count: the reader's place stays, cancelled and without them; the other member's is untouched.
    remaining = db.session.execute(select(Event.programme_id, Place.user_id, Place.status).join(Event)
                                   .order_by(Place.id)).all()
    assert remaining == [(circles["programme"].id, None, PlaceStatus.CANCELLED),
                         (circles["programme"].id, circles["other"].id, PlaceStatus.CONFIRMED)]


def test_the_api_lists_the_circle_with_its_own_details(client, circles):
    meeting = circles["event"]
    listed = client.get("/api/v1/events").get_json()
    assert listed == [{
        "id": f"test-circle-{meeting.id}", "kind": KEY,
        "programme": {"slug": "circles-north", "name": "Reading circles North"},
        "title": "Reading circle: The Body Keeps the Score",
        "starts_at": meeting.starts_at.isoformat(), "ends_at": meeting.ends_at.isoformat(),
        "online": False, "venue": "The Library, Leeds", "places_left": 6,
        "url": f"http://localhost/circles/{meeting.id}",
        "details": {"book": f"Email {circles['programme'].contact_email}"},
    }]
    assert client.get(f"/api/v1/events/test-circle-{meeting.id}").get_json() == listed[0]
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["test_circle_kind_details"]["properties"] == {
        "book": {"type": "string", "description": "How to join the circle"}}
    assert {"$ref": "#/components/schemas/test_circle_kind_details"} in (
        schemas["Event"]["properties"]["details"]["oneOf"])


def test_my_bookings_reads_thirty_places_of_two_kinds_in_two_statements(app, circles):
    reader = circles["reader"]
    for n in range(14):
        circle_place(circle_event(circles["programme"], f"Circle {n}", days=n - 7), reader)
    surgeries = factories.surgery_programme()
    get_settings(surgeries).max_upcoming_bookings = 20
    slots = []
    for days in range(20, 40):
        slots += factories.surgery_date(surgeries, days_ahead=days).slots
        if len(slots) >= 15:
            break
    for slot in slots[:15]:
        book_slot(slot, reader, "general")
    db.session.commit()
    db.session.refresh(reader)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.test_request_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            mine = my_bookings(reader, 1, 20)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) <= 2, statements
    assert len(mine.upcoming) + len(mine.past) == 20 and mine.has_more
    assert {row.programme for row in mine.upcoming} == {"Reading circles North", surgeries.name}


def test_the_data_download_holds_the_circles_own_section(client, circles):
    sign_in(client, circles["reader"])
    response = client.post("/account/my-data")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    data = json.loads(archive.read("my-data.json"))
    assert data["circle_notes"] == [{"place": circles["place"].id, "circle": "The Body Keeps the Score"}]
    [place] = data["places"]
    assert (place["place"], place["programme_kind"], place["calendar_uid"]) == (
        circles["place"].id, "Reading circles", circles["place"].uid)
    assert "circle_notes.csv" in archive.namelist()
    assert "circle_notes.csv  (1 record)  From Reading circles." in archive.read("README.txt").decode()


def test_a_programme_with_events_keeps_its_kind_and_one_without_can_change(client, circles):
    admin = factories.admin()
    with_dates = factories.surgery_programme(slug="mtc")
    factories.surgery_date(with_dates, days_ahead=10)
    empty = factories.surgery_programme(slug="empty")
    db.session.commit()
    sign_in(client, admin)
    form = {"name": "A programme", "kind": KEY, "contact_email": "ep@example.org", "description": ""}
    # The new kind is offered, because it is registered.
    assert f'value="{KEY}"' in client.get(f"/admin/programmes/{with_dates.id}").get_data(as_text=True)
    refused = client.post(f"/admin/programmes/{with_dates.id}", data=form | {"slug": "mtc"})
    assert refused.status_code == 400
    assert "This programme already has events, so its kind cannot change" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert with_dates.kind == "practice_surgeries"
    assert client.post(f"/admin/programmes/{empty.id}", data=form | {"slug": "empty"}).status_code == 302
    db.session.expire_all()
    assert empty.kind == KEY
