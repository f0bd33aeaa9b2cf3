"""Facilitators' and organisers' date, attendance and settings pages (issue 11, items 9, 10 and 14)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.core.audit import AuditEntry
from ep_events.core.working_days import non_working_day
from ep_events.demo import load_demo_data
from ep_events.extensions import db
from ep_events.surgeries.bookings import book_slot, confirmed_bookings_for_date
from ep_events.surgeries.dates import facilitator_cancel_date
from ep_events.surgeries.models import SurgeryDate, SurgeryDateStatus
from ep_events.surgeries.settings import get_settings
from tests import factories
from tests.conftest import sign_in

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def world(app, client):
    with freeze_time(NOW):
        programme = factories.surgery_programme(slug="mtc", name="MTC surgeries")
        facilitator = factories.user(roles=[(Role.FACILITATOR, programme)])
        organiser = factories.user(roles=[(Role.ORGANISER, programme)])
        db.session.commit()
    return {"programme": programme, "facilitator": facilitator, "organiser": organiser}


def _date_form(day: date, session="am", **extra):
    return {"day": [str(day.day), str(day.month), str(day.year)], "session": session, **extra}


def _count_dates() -> int:
    return db.session.execute(select(func.count(SurgeryDate.id))).scalar_one()


@freeze_time(NOW)
def test_the_same_day_and_session_twice_is_refused_with_a_warning(client, world):
    sign_in(client, world["facilitator"])
    assert client.post("/surgeries/mtc/manage/dates/new", data=_date_form(date(2027, 1, 13))).status_code == 302
    again = client.post("/surgeries/mtc/manage/dates/new", data=_date_form(date(2027, 1, 13)))
    body = again.get_data(as_text=True)
    assert again.status_code == 400 and "There is a problem" in body
    assert "There is already a surgery date for Wednesday 13 January 2027 – AM (9:30am to 12:30pm)" in body
    assert _count_dates() == 1
    assert client.post("/surgeries/mtc/manage/dates/new", data=_date_form(date(2027, 1, 13), "pm")).status_code == 302


@freeze_time(NOW)
@pytest.mark.parametrize("day, reason", [(date(2027, 1, 16), "is a Saturday"),
                                         (date(2026, 12, 28), "is a bank holiday (Boxing Day (observed))"),
                                         (date(2027, 5, 31), "is a bank holiday (Spring Bank Holiday)")])
def test_a_weekend_or_bank_holiday_asks_for_confirmation_first(client, world, day, reason):
    sign_in(client, world["facilitator"])
    first = client.post("/surgeries/mtc/manage/dates/new", data=_date_form(day))
    body = first.get_data(as_text=True)
    assert first.status_code == 400 and reason in body
    assert "Yes, hold the surgery on this day" in body and 'href="#confirm_day"' in body
    assert _count_dates() == 0
    confirmed = client.post("/surgeries/mtc/manage/dates/new", data=_date_form(day, confirm_day="y"))
    assert confirmed.status_code == 302 and _count_dates() == 1


@freeze_time(NOW)
def test_a_working_day_needs_no_confirmation_and_the_page_shows_times_as_people_write_them(client, world):
    sign_in(client, world["facilitator"])
    page = client.get("/surgeries/mtc/manage/dates/new").get_data(as_text=True)
    assert "AM runs 9:30am to 12:30pm and PM 1:30pm to 4:30pm (UK time)" in page
    assert "Yes, hold the surgery on this day" not in page
    # The custom window's times sit inside the "Custom window" choice, revealed by choosing it.
    assert 'data-aria-controls="conditional-session-3"' in page
    assert page.index('id="conditional-session-3"') < page.index('id="custom_starts"')


@freeze_time(NOW)
def test_custom_window_errors_name_their_field_and_end_before_start_shows_with_them(client, world):
    sign_in(client, world["facilitator"])
    response = client.post("/surgeries/mtc/manage/dates/new", data={
        "day": ["", "", ""], "session": "custom", "custom_starts": "2pm", "custom_ends": "1:30pm"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the date of the surgery" in body
    assert "The custom window&#39;s end time must be after its start time" in body
    bad = client.post("/surgeries/mtc/manage/dates/new", data=_date_form(
        date(2027, 1, 13), "custom", custom_starts="half nine", custom_ends="11am"))
    assert "Enter the custom window&#39;s start time as a time, like 9:30am or 2pm" in bad.get_data(as_text=True)
    good = client.post("/surgeries/mtc/manage/dates/new", data=_date_form(
        date(2027, 1, 13), "custom", custom_starts="10am", custom_ends="11:30am"))
    assert good.status_code == 302
    new = db.session.execute(select(SurgeryDate)).scalar_one()
    assert [s.starts_at.hour for s in new.slots] == [10, 10]


@freeze_time(NOW)
def test_a_draft_is_deleted_outright_and_offers_no_csv(client, world):
    draft = factories.surgery_date(world["programme"], day=date(2027, 1, 13), publish=False)
    db.session.commit()
    sign_in(client, world["facilitator"])
    page = client.get(f"/surgeries/manage/dates/{draft.id}").get_data(as_text=True)
    assert "Delete this draft" in page and "Download the booking list" not in page
    assert "Cancel the whole date" not in page
    assert client.get(f"/surgeries/manage/dates/{draft.id}/bookings.csv").status_code == 404
    response = client.post(f"/surgeries/manage/dates/{draft.id}/delete", follow_redirects=True)
    assert "The draft Wednesday 13 January 2027 – AM is deleted." in response.get_data(as_text=True)
    assert _count_dates() == 0
    assert db.session.execute(select(AuditEntry.action)).scalars().all()[-1] == "surgery.date.delete"


@freeze_time(NOW)
def test_a_published_date_cannot_be_deleted(client, world):
    published = factories.surgery_date(world["programme"], day=date(2027, 1, 13))
    db.session.commit()
    sign_in(client, world["facilitator"])
    response = client.post(f"/surgeries/manage/dates/{published.id}/delete", follow_redirects=True)
    assert "Only a draft can be deleted: cancel a published date instead" in response.get_data(as_text=True)
    assert _count_dates() == 1


@freeze_time(NOW)
def test_cancelling_a_date_nobody_booked_asks_for_no_message(client, world):
    published = factories.surgery_date(world["programme"], day=date(2027, 1, 13))
    db.session.commit()
    sign_in(client, world["facilitator"])
    page = client.get(f"/surgeries/manage/dates/{published.id}/cancel").get_data(as_text=True)
    assert "Nobody has booked this date, so nobody needs to be told." in page
    assert "Message to the people booked" not in page
    assert client.post(f"/surgeries/manage/dates/{published.id}/cancel").status_code == 302
    db.session.expire_all()
    assert published.status is SurgeryDateStatus.CANCELLED


@freeze_time(NOW)
def test_the_date_list_shows_upcoming_soonest_first_and_past_and_cancelled_apart(client, world):
    programme = world["programme"]
    later = factories.surgery_date(programme, day=date(2027, 2, 10))
    sooner = factories.surgery_date(programme, day=date(2026, 12, 9), publish=False)
    cancelled = factories.surgery_date(programme, day=date(2027, 1, 6))
    facilitator_cancel_date(None, cancelled, "")
    past = factories.surgery_date(programme, day=date(2026, 11, 25), now=NOW - timedelta(days=10))
    db.session.commit()
    sign_in(client, world["facilitator"])
    upcoming = client.get("/surgeries/mtc/manage").get_data(as_text=True)
    assert upcoming.index(sooner.label) < upcoming.index(later.label)
    assert cancelled.label not in upcoming and past.label not in upcoming
    assert "Upcoming (2)" in upcoming and "Past (1)" in upcoming and "Cancelled (1)" in upcoming
    assert 'aria-current="page">Upcoming (2)' in upcoming
    past_page = client.get("/surgeries/mtc/manage?show=past").get_data(as_text=True)
    assert past.label in past_page and later.label not in past_page
    cancelled_page = client.get("/surgeries/mtc/manage?show=cancelled").get_data(as_text=True)
    assert cancelled.label in cancelled_page and later.label not in cancelled_page
    assert client.get("/surgeries/mtc/manage?show=nonsense").status_code == 200


def test_attendance_is_one_form_for_the_date_and_saving_nothing_shows_the_error_summary(client, world):
    with freeze_time(NOW):
        surgery_date = factories.surgery_date(world["programme"], day=date(2027, 1, 13))
        people = [factories.user(name=f"Attendee {n}") for n in range(3)]
        bookings = [book_slot(slot, person, "general")[0]
                    for slot, person in zip(surgery_date.slots, people)]
        db.session.commit()
        sign_in(client, world["facilitator"])
        before = client.get(f"/surgeries/manage/dates/{surgery_date.id}").get_data(as_text=True)
        assert "You can mark attendance from 9:30am on Wednesday 13 January 2027 (UK time)" in before
    with freeze_time(surgery_date.ends_at + timedelta(minutes=1)):
        sign_in(client, world["facilitator"])  # a fresh session: weeks have passed
        page = client.get(f"/surgeries/manage/dates/{surgery_date.id}").get_data(as_text=True)
        assert page.count("Save attendance") == 1
        assert all(p.name in page for p in people)
        url = f"/surgeries/manage/dates/{surgery_date.id}/attendance"
        empty = client.post(url, data={})
        body = empty.get_data(as_text=True)
        assert empty.status_code == 400
        assert "There is a problem" in body and "Choose attended or did not attend for at least one person" in body
        assert "Important" not in body
        saved = client.post(url, data={f"booking_{bookings[0].id}": "attended",
                                       f"booking_{bookings[1].id}": "did_not_attend"}, follow_redirects=True)
        assert "Attendance saved for 2 people." in saved.get_data(as_text=True)
    db.session.expire_all()
    assert [b.attendance.value for b in bookings] == ["attended", "did_not_attend", "unknown"]


@freeze_time(NOW)
def test_settings_errors_name_their_field_and_show_together(client, world):
    sign_in(client, world["organiser"])
    page = client.get("/surgeries/mtc/settings").get_data(as_text=True)
    assert 'value="9:30am"' in page and 'value="4:30pm"' in page
    data = {"slot_minutes": "5", "buffer_minutes": "ten", "booking_close_hours": "12", "max_upcoming_bookings": "3",
            "offer_hours": "6", "outline_retention_days": "14", "am_starts": "9am", "am_ends": "8am",
            "pm_starts": "13:00", "pm_ends": "25:00", "reminder_hours": "24, 1"}
    response = client.post("/surgeries/mtc/settings", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Slot length must be between 10 and 240 minutes", "Buffer must be a whole number of minutes",
                    "AM session must end after it starts",
                    "Enter the PM session end time as a time, like 9:30am or 2pm"):
        assert message in body
    ok = client.post("/surgeries/mtc/settings", data=data | {"slot_minutes": "30", "buffer_minutes": "5",
                                                            "am_ends": "12pm", "pm_ends": "4pm"})
    assert ok.status_code == 302
    settings = get_settings(world["programme"])
    db.session.refresh(settings)
    assert (settings.am_starts.hour, settings.am_ends.hour, settings.pm_ends.hour) == (9, 12, 16)


def test_the_booking_outline_hint_does_not_repeat_optional(client, world):
    with freeze_time(NOW):
        surgery_date = factories.surgery_date(world["programme"], day=date(2027, 1, 13))
        practitioner = factories.user()
        db.session.commit()
        sign_in(client, practitioner)
        page = client.get(f"/surgeries/slots/{surgery_date.slots[0].id}/book").get_data(as_text=True)
    assert "Outline (optional)" in page
    assert "Optional. A short" not in page and "A short, anonymised outline" in page


@freeze_time(NOW)
def test_the_cancel_slot_page_explains_in_a_full_sentence(client, world):
    surgery_date = factories.surgery_date(world["programme"], day=date(2027, 1, 13))
    booker = factories.user(name="Bo Booker")
    book_slot(surgery_date.slots[0], booker, "general")
    db.session.commit()
    sign_in(client, world["facilitator"])
    booked = client.get(f"/surgeries/manage/slots/{surgery_date.slots[0].id}/cancel").get_data(as_text=True)
    assert "Bo Booker has booked this slot. We will email them your message and cancel their calendar entry." in booked
    free = client.get(f"/surgeries/manage/slots/{surgery_date.slots[1].id}/cancel").get_data(as_text=True)
    assert "Nobody has booked this slot." in free


@freeze_time(datetime(2026, 12, 17, 9, 0, tzinfo=UTC))  # nine days on is Boxing Day, a Saturday
def test_demo_dates_avoid_weekends_and_bank_holidays_and_include_past_dates_with_attendance(app):
    load_demo_data()
    dates = db.session.execute(select(SurgeryDate).order_by(SurgeryDate.starts_at)).scalars().all()
    assert all(non_working_day(d.day) is None for d in dates), [d.day for d in dates]
    now = datetime(2026, 12, 17, 9, 0, tzinfo=UTC)
    # The demo practitioner attended the other session of the latest past day (ep_events/demo.py, for their CPD).
    theirs = [d for d in dates
              if any(b.user.email == "practitioner@example.org" for b in confirmed_bookings_for_date(d))]
    assert [(d.day, len(confirmed_bookings_for_date(d))) for d in theirs] == [(theirs[0].day, 1)]
    assert theirs[0].ends_at <= now
    past = [d for d in dates if d.ends_at <= now and d not in theirs]
    assert len(past) == 2
    for surgery_date in past:
        bookings = confirmed_bookings_for_date(surgery_date)
        assert len(bookings) == 3
        assert {b.attendance.value for b in bookings} == {"attended", "did_not_attend", "unknown"}
    assert len([d for d in dates if d.ends_at > now]) == 5


@freeze_time(NOW)
def test_a_surgery_date_is_tagged_with_the_practice_standards_it_addresses(client, world):
    sign_in(client, world["facilitator"])
    form = client.get("/surgeries/mtc/manage/dates/new").get_data(as_text=True)
    assert "S4: Children are matched with suitable early permanence carers" in form
    refused = client.post("/surgeries/mtc/manage/dates/new", data=_date_form(date(2027, 1, 13),
                                                                              practice_standards=["S4", "S9"]))
    assert refused.status_code == 400 and "There is a problem" in refused.get_data(as_text=True)
    assert _count_dates() == 0
    made = client.post("/surgeries/mtc/manage/dates/new", data=_date_form(
        date(2027, 1, 13), practice_standards=["S4", "S1"], practice_substandards="2.3"))
    surgery_date = db.session.execute(select(SurgeryDate)).scalar_one()
    assert made.status_code == 302 and surgery_date.practice_standards == ["S1", "S4", "2.3"]
    page = client.get(f"/surgeries/manage/dates/{surgery_date.id}").get_data(as_text=True)
    assert ("Practice standards it addresses: S1: Principles underpinning effective delivery of early permanence "
            "to children who may be adopted; S4: Children are matched with suitable early permanence carers; 2.3 All "
            "organisations") in page
