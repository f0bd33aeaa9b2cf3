"""Pages: what practitioners, facilitators and organisers see, and who is turned away."""

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.surgeries.availability import slot_picker_page
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.dates import remove_slot
from ep_events.surgeries.models import BookingStatus, SessionKind, SurgeryBooking, SurgeryDate, SurgeryDateStatus
from ep_events.surgeries.settings import get_settings
from ep_events.surgeries.waitlist import join_waitlist
from tests import factories
from tests.conftest import sign_in


@pytest.fixture
def world(app):
    programme = factories.surgery_programme(slug="mtc")
    other_programme = factories.surgery_programme(slug="elsewhere")
    surgery_date = factories.surgery_date(programme, days_ahead=10, teams_url=factories.TEAMS_URL)
    facilitator = factories.user(roles=[(Role.FACILITATOR, programme)])
    other_facilitator = factories.user(roles=[(Role.FACILITATOR, other_programme)])
    organiser = factories.user(roles=[(Role.ORGANISER, programme)])
    practitioner = factories.user()
    db.session.commit()
    return dict(programme=programme, surgery_date=surgery_date, facilitator=facilitator,
                other_facilitator=other_facilitator, organiser=organiser, practitioner=practitioner)


def booking_count():
    return db.session.execute(select(func.count(SurgeryBooking.id))).scalar_one()


def test_slot_picker_lists_free_slots_by_date_in_uk_time(client, world):
    body = client.get("/surgeries/mtc").get_data(as_text=True)
    assert world["surgery_date"].label in body
    assert "Book 9:30am to 10:10am" in body
    assert "All times are UK time" in body


def test_booking_needs_sign_in(client, world):
    slot = world["surgery_date"].slots[0]
    response = client.get(f"/surgeries/slots/{slot.id}/book")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_booking_form_says_not_to_include_identifying_details(client, world):
    sign_in(client, world["practitioner"])
    body = client.get(f"/surgeries/slots/{world['surgery_date'].slots[0].id}/book").get_data(as_text=True)
    assert "Do not include names, dates of birth, addresses or other identifying details" in body
    assert "Are you thinking about EP for a child but are not sure that it is the right plan?" in body
    assert "General practice discussion" in body


def test_booking_without_a_theme_shows_the_error_summary_and_saves_nothing(client, world):
    sign_in(client, world["practitioner"])
    response = client.post(f"/surgeries/slots/{world['surgery_date'].slots[0].id}/book", data={"outline": "x"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body and "Choose what you would like to discuss" in body
    assert booking_count() == 0


def test_colleague_needs_name_and_email(client, world):
    sign_in(client, world["practitioner"])
    response = client.post(f"/surgeries/slots/{world['surgery_date'].slots[0].id}/book",
                           data={"theme": "general", "colleague1_name": "Just A Name"})
    assert response.status_code == 400
    assert "Enter both the name and the email address of colleague 1" in response.get_data(as_text=True)
    assert booking_count() == 0


def test_booking_shows_the_confirmation_and_a_double_submit_books_once(client, world):
    sign_in(client, world["practitioner"])
    url = f"/surgeries/slots/{world['surgery_date'].slots[0].id}/book"
    first = client.post(url, data={"theme": "general"})
    second = client.post(url, data={"theme": "general"})
    assert first.status_code == 302 and second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Surgery booked" in page and "UK time" in page
    assert booking_count() == 1


def test_a_taken_slot_says_sorry(client, world):
    slot = world["surgery_date"].slots[0]
    book_slot(slot, factories.user(), "general")
    db.session.commit()
    sign_in(client, world["practitioner"])
    response = client.post(f"/surgeries/slots/{slot.id}/book", data={"theme": "general"})
    assert response.status_code == 400
    assert "Sorry, that slot has just been taken" in response.get_data(as_text=True)


def test_my_bookings_then_cancel_and_move(client, world):
    practitioner = world["practitioner"]
    booking, _ = book_slot(world["surgery_date"].slots[0], practitioner, "general")
    db.session.commit()
    sign_in(client, practitioner)
    assert "9:30am" in client.get("/bookings").get_data(as_text=True)
    move_page = client.get(f"/bookings/{booking.id}/move").get_data(as_text=True)
    assert "10:20am to 11:00am" in move_page
    response = client.post(f"/bookings/{booking.id}/move", data={"slot": world["surgery_date"].slots[1].id})
    assert response.status_code == 302
    db.session.expire_all()
    assert booking.slot_id == world["surgery_date"].slots[1].id
    response = client.post(f"/bookings/{booking.id}/cancel", data={"reason": "Leave"})
    assert response.status_code == 302
    db.session.expire_all()
    assert booking.status.value == "cancelled"


def test_a_practitioner_cannot_see_anothers_booking_or_outline(client, world):
    booking, _ = book_slot(world["surgery_date"].slots[0], factories.user(), "general",
                           outline="A private outline")
    db.session.commit()
    sign_in(client, world["practitioner"])
    for url in (f"/bookings/{booking.id}", f"/bookings/{booking.id}/confirmed", f"/bookings/{booking.id}/move",
                f"/bookings/{booking.id}/cancel"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "A private outline" not in response.get_data(as_text=True)
    assert client.post(f"/bookings/{booking.id}/cancel").status_code == 404
    db.session.expire_all()
    assert booking.is_confirmed


def _facilitator_urls(world, booking):
    d, slot = world["surgery_date"], world["surgery_date"].slots[1]
    return [
        ("GET", "/surgeries/mtc/manage"), ("GET", "/surgeries/mtc/manage/dates/new"),
        ("POST", "/surgeries/mtc/manage/dates/new"),
        ("GET", f"/surgeries/manage/dates/{d.id}"), ("POST", f"/surgeries/manage/dates/{d.id}/publish"),
        ("POST", f"/surgeries/manage/dates/{d.id}/teams"), ("GET", f"/surgeries/manage/dates/{d.id}/cancel"),
        ("POST", f"/surgeries/manage/dates/{d.id}/cancel"), ("GET", f"/surgeries/manage/dates/{d.id}/bookings.csv"),
        ("POST", f"/surgeries/manage/slots/{slot.id}/remove"), ("POST", f"/surgeries/manage/slots/{slot.id}/reopen"),
        ("GET", f"/surgeries/manage/slots/{slot.id}/cancel"), ("POST", f"/surgeries/manage/slots/{slot.id}/cancel"),
        ("POST", f"/surgeries/manage/dates/{d.id}/attendance"), ("POST", f"/surgeries/manage/dates/{d.id}/delete"),
    ]


ORGANISER_URLS = [("GET", "/surgeries/mtc/settings"), ("POST", "/surgeries/mtc/settings"),
                  ("POST", "/surgeries/mtc/facilitators")]


def test_facilitator_and_organiser_pages_turn_away_everyone_else(app, world):
    booking, _ = book_slot(world["surgery_date"].slots[0], world["practitioner"], "general",
                           outline="Outline only facilitators see")
    db.session.commit()
    urls = _facilitator_urls(world, booking) + ORGANISER_URLS
    anonymous = app.test_client()
    for method, url in urls:
        response = anonymous.open(url, method=method)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], (method, url)
    for person in (world["practitioner"], world["other_facilitator"]):
        client = app.test_client()
        sign_in(client, person)
        for method, url in urls:
            response = client.open(url, method=method)
            assert response.status_code == 403, (person.email, method, url)
            assert "Outline only facilitators see" not in response.get_data(as_text=True)
    client = app.test_client()
    sign_in(client, world["facilitator"])
    for method, url in ORGANISER_URLS:
        assert client.open(url, method=method).status_code == 403, url
    db.session.expire_all()
    assert booking.is_confirmed and world["surgery_date"].status is SurgeryDateStatus.PUBLISHED


def test_facilitator_sees_bookings_with_outlines_but_the_csv_has_none(client, world):
    booking, _ = book_slot(world["surgery_date"].slots[0], world["practitioner"], "assessing-adopter",
                           outline="Outline for facilitators",
                           colleagues=[{"name": "Col League", "email": "col@example.org"}])
    db.session.commit()
    sign_in(client, world["facilitator"])
    page = client.get(f"/surgeries/manage/dates/{world['surgery_date'].id}").get_data(as_text=True)
    assert world["practitioner"].name in page
    assert "Outline for facilitators" in page
    assert "Col League" in page
    assert "Are you assessing a prospective adopter for EP" in page
    csv = client.get(f"/surgeries/manage/dates/{world['surgery_date'].id}/bookings.csv")
    assert csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert world["practitioner"].email in text and "Col League" in text
    assert "Outline for facilitators" not in text


def test_facilitator_creates_previews_removes_a_slot_and_publishes_a_date(client, world):
    from datetime import timedelta

    from ep_events.core.working_days import next_working_day

    sign_in(client, world["facilitator"])
    # Surgeries run on working days: 40 days ahead can be a weekend or a bank holiday.
    day = next_working_day((utcnow() + timedelta(days=40)).date())
    response = client.post("/surgeries/mtc/manage/dates/new",
                           data={"day": [str(day.day), str(day.month), str(day.year)], "session": "pm"})
    assert response.status_code == 302
    new = db.session.execute(select(SurgeryDate).where(SurgeryDate.day == day)).scalar_one()
    assert new.status is SurgeryDateStatus.DRAFT
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This date is a draft" in page and "1:30pm to 2:10pm" in page
    assert "1:30pm" not in client.get("/surgeries/mtc").get_data(as_text=True)
    client.post(f"/surgeries/manage/slots/{new.slots[-1].id}/remove")
    client.post(f"/surgeries/manage/dates/{new.id}/publish")
    db.session.expire_all()
    assert new.status is SurgeryDateStatus.PUBLISHED
    assert new.slots[-1].status.value == "removed"
    picker = client.get("/surgeries/mtc").get_data(as_text=True)
    assert "Book 1:30pm to 2:10pm" in picker


def test_a_date_form_with_bad_input_shows_the_error_summary_and_saves_nothing(client, world):
    sign_in(client, world["facilitator"])
    response = client.post("/surgeries/mtc/manage/dates/new", data={"day": ["31", "2", "2027"], "session": "custom"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in body
    assert "Enter the custom window&#39;s start time" in body
    assert db.session.execute(select(func.count(SurgeryDate.id))).scalar_one() == 1


def test_a_teams_link_must_be_a_teams_meeting_url(client, world):
    sign_in(client, world["facilitator"])
    d = world["surgery_date"]
    response = client.post(f"/surgeries/manage/dates/{d.id}/teams", data={"teams_url": "http://example.org/meet"})
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    db.session.expire_all()
    assert d.teams_url == factories.TEAMS_URL


def test_organiser_changes_settings_and_adds_a_facilitator(client, world):
    sign_in(client, world["organiser"])
    data = {"slot_minutes": "30", "buffer_minutes": "5", "booking_close_hours": "12", "max_upcoming_bookings": "3",
            "offer_hours": "6", "outline_retention_days": "14", "am_starts": "09:00", "am_ends": "12:00",
            "pm_starts": "13:00", "pm_ends": "16:00", "reminder_hours": "48, 2"}
    assert client.post("/surgeries/mtc/settings", data=data).status_code == 302
    settings = get_settings(world["programme"])
    db.session.refresh(settings)
    assert (settings.slot_minutes, settings.max_upcoming_bookings, settings.reminder_hours) == (30, 3, [48, 2])
    bad = client.post("/surgeries/mtc/settings", data=data | {"slot_minutes": "abc", "am_ends": "08:00"})
    assert bad.status_code == 400 and "There is a problem" in bad.get_data(as_text=True)
    newcomer = factories.user(email="new-facilitator@example.org")
    db.session.commit()
    assert client.post("/surgeries/mtc/facilitators", data={"email": "new-facilitator@example.org"}).status_code == 302
    db.session.expire_all()
    assert newcomer.has_role(Role.FACILITATOR, programme=world["programme"])
    missing = client.post("/surgeries/mtc/facilitators", data={"email": "nobody@example.org"})
    assert missing.status_code == 400 and "There is no EP Events account" in missing.get_data(as_text=True)


def test_slot_picker_shows_ten_dates_a_page_with_later_and_earlier_links(client, world):
    for days in range(11, 22):
        factories.surgery_date(world["programme"], days_ahead=days)
    db.session.commit()
    first = client.get("/surgeries/mtc").get_data(as_text=True)
    assert first.count('class="govuk-heading-m" id="date-') == 10
    assert "Later dates" in first and "Earlier dates" not in first
    second = client.get("/surgeries/mtc?page=2").get_data(as_text=True)
    assert second.count('class="govuk-heading-m" id="date-') == 2
    assert "Earlier dates" in second and "Later dates" not in second
    assert client.get("/surgeries/mtc?page=nonsense").status_code == 200


def test_facilitator_cancels_a_whole_date_and_everyone_booked_is_told(client, world, deliver, mailbox):
    people = [factories.user() for _ in world["surgery_date"].slots]
    for slot, person in zip(world["surgery_date"].slots, people):
        book_slot(slot, person, "general")
    db.session.commit()
    deliver()
    mailbox.clear()
    sign_in(client, world["facilitator"])
    d = world["surgery_date"]
    empty = client.post(f"/surgeries/manage/dates/{d.id}/cancel", data={"message": ""})
    assert empty.status_code == 400 and "Enter a message to the people booked" in empty.get_data(as_text=True)
    response = client.post(f"/surgeries/manage/dates/{d.id}/cancel", data={"message": "Snow closure, sorry."})
    assert response.status_code == 302
    db.session.expire_all()
    assert d.status is SurgeryDateStatus.CANCELLED
    assert booking_count() == 3 and all(not b.is_confirmed for b in db.session.execute(
        select(SurgeryBooking)).scalars())
    told = deliver()
    assert sorted(m.recipients[0] for m in told) == sorted(p.email for p in people)
    assert all("Snow closure, sorry." in m.text for m in told)


def test_facilitator_marks_attendance_once_the_slot_has_started(client, world):
    from datetime import timedelta

    from freezegun import freeze_time

    booking, _ = book_slot(world["surgery_date"].slots[0], world["practitioner"], "general")
    db.session.commit()
    sign_in(client, world["facilitator"])
    url = f"/surgeries/manage/dates/{world['surgery_date'].id}/attendance"
    early = client.post(url, data={f"booking_{booking.id}": "attended"})
    assert early.status_code == 400
    db.session.expire_all()
    assert booking.attendance.value == "unknown"
    with freeze_time(booking.slot.starts_at + timedelta(minutes=5)):
        page = client.get(f"/surgeries/manage/dates/{world['surgery_date'].id}").get_data(as_text=True)
        assert "Slot 9:30am to 10:10am" in page and f"{world['practitioner'].name}\n" in page
        client.post(url, data={f"booking_{booking.id}": "did_not_attend"})
    db.session.expire_all()
    assert booking.attendance.value == "did_not_attend"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def either_database(request):
    """The app on SQLite, then on PostgreSQL: for the hand-tuned slot picker query."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def test_slot_picker_lists_only_slots_a_person_can_book_now(either_database):
    """Booked, held for a waiting-list offer, removed and closed slots are not offered; draft, ended and
    other programmes' dates are not shown; a date with nothing free says so and offers the waiting list."""
    from datetime import UTC, date, datetime

    from freezegun import freeze_time

    programme = factories.surgery_programme(slug="mtc")
    elsewhere = factories.surgery_programme(slug="elsewhere")
    # Monday 11 January 2027, 09:50 UK time (GMT): booking closes 24 hours before a slot starts.
    with freeze_time(datetime(2027, 1, 11, 9, 50, tzinfo=UTC)):
        ended = factories.surgery_date(programme, day=date(2027, 1, 8), now=datetime(2027, 1, 1, tzinfo=UTC))
        today = factories.surgery_date(programme, day=date(2027, 1, 11), session=SessionKind.PM,
                                       now=datetime(2027, 1, 1, tzinfo=UTC))  # every slot closed, none taken
        closing = factories.surgery_date(programme, day=date(2027, 1, 12))  # 9:30am closed, 10:20am booked
        book_slot(closing.slots[1], factories.user(), "general")
        held = factories.surgery_date(programme, day=date(2027, 1, 14))  # all booked, then one offered
        bookings = [book_slot(slot, factories.user(), "general")[0] for slot in held.slots]
        join_waitlist(held, factories.user())
        cancel_booking(bookings[0], bookings[0].user)
        removed = factories.surgery_date(programme, day=date(2027, 1, 15), session=SessionKind.PM)
        remove_slot(None, removed.slots[0])
        factories.surgery_date(programme, day=date(2027, 1, 18), publish=False)
        factories.surgery_date(elsewhere, day=date(2027, 1, 19))
        db.session.commit()
        body = either_database.test_client().get("/surgeries/mtc").get_data(as_text=True)

    assert ended.label not in body
    today_part = body[body.index(today.label):body.index(closing.label)]
    assert "Booking has closed for this date." in today_part
    assert "Book " not in today_part and "waiting list" not in today_part
    assert "Monday 18 January 2027" not in body and "Tuesday 19 January 2027" not in body
    closing_part = body[body.index(closing.label):body.index(held.label)]
    assert "Book 9:30am" not in closing_part and "Book 10:20am" not in closing_part
    assert "1 free slot (UK time)" in closing_part and "Book 11:10am to 11:50am" in closing_part
    held_part = body[body.index(held.label):body.index(removed.label)]
    assert "Book " not in held_part and "Full" in held_part and "Join the waiting list" in held_part
    removed_part = body[body.index(removed.label):]
    assert "Book 1:30pm" not in removed_part
    assert "2 free slots (UK time)" in removed_part and "Book 2:20pm to 3:00pm" in removed_part
    assert body.count('class="govuk-heading-m" id="date-') == 4


def test_slot_picker_finds_dates_through_the_index_not_by_reading_every_date(app):
    """The date search uses the (programme, status, starts_at) index on SQLite, so a year of past
    dates is not read on every visit: the statement the picker runs is explained by SQLite itself."""
    from sqlalchemy import event

    programme = factories.surgery_programme(slug="mtc")
    factories.surgery_date(programme)
    db.session.commit()
    ran = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "surgery_slot" in statement:
            ran.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        assert slot_picker_page("mtc", 1, 10)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    [(statement, parameters)] = ran
    plan = " | ".join(row[3] for row in db.session.connection().exec_driver_sql(
        f"EXPLAIN QUERY PLAN {statement}", parameters))
    # SQLite words plans a little differently from version to version: look for the index and its range.
    assert "ix_event_programme_status_starts" in plan and "starts_at>?" in plan


def test_my_bookings_shows_upcoming_then_past_and_cancelled_twenty_at_a_time(client, world):
    """Twenty a page: upcoming ones first, soonest first, then past and cancelled ones, newest first."""
    from datetime import UTC, date, datetime

    practitioner, programme = world["practitioner"], world["programme"]
    upcoming, _ = book_slot(world["surgery_date"].slots[0], practitioner, "general")
    # 23 past sessions, one a day in January 2026 (written as rows: the booking rules forbid the past).
    past_dates = [factories.surgery_date(programme, day=date(2026, 1, day), now=datetime(2025, 12, 1, tzinfo=UTC))
                  for day in range(1, 24)]
    for surgery_date in past_dates:
        db.session.add(SurgeryBooking(slot=surgery_date.slots[0], user=practitioner, theme="general",
                                      status=BookingStatus.CANCELLED if surgery_date.day.day == 23
                                      else BookingStatus.CONFIRMED))
    someone_else = factories.surgery_date(programme, day=date(2026, 1, 24), now=datetime(2025, 12, 1, tzinfo=UTC))
    db.session.add(SurgeryBooking(slot=someone_else.slots[0], user=factories.user(), theme="general"))
    db.session.commit()
    sign_in(client, practitioner)

    first = client.get("/bookings").get_data(as_text=True)
    upcoming_part, past_part = first.split("Past and cancelled</h2>")
    assert world["surgery_date"].label.split(" – ")[0] in upcoming_part
    assert past_part.count('href="/bookings/') == 19  # with the one upcoming booking, twenty on the page
    assert past_part.index("Friday 23 January 2026") < past_part.index("Thursday 22 January 2026")
    assert "Cancelled" in past_part and "Saturday 24 January 2026" not in first
    assert "Sunday 4 January 2026" not in past_part  # the oldest four are on the next page
    assert "Next page" in first and "Previous page" not in first

    second = client.get("/bookings?page=2").get_data(as_text=True)
    _, past_part = second.split("Past and cancelled</h2>")
    assert past_part.count('href="/bookings/') == 4
    assert all(f"{day} January 2026" in past_part for day in ("Thursday 1", "Friday 2", "Saturday 3", "Sunday 4"))
    assert "Previous page" in second and "Next page" not in second
    assert f'href="/bookings/{upcoming.id}"' not in second and "Upcoming</h2>" not in second
    assert "There are no earlier bookings." in client.get("/bookings?page=9").get_data(as_text=True)
