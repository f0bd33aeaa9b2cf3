"""Calendar files are read the same by Python's icalendar and by ical.js, on both sides of the clock change."""

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from ep_events.core.time import UK
from ep_events.notifications.calendar import CalendarEvent, build_cancellation, build_feed, build_invite
from tests.ics import _iso, both_readings, read_with_icalendar, read_with_icaljs  # noqa: F401

JOIN_URL = ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5ZTRkYjMtYjFhZC00ZWY1LTk5ZDAtZGE2YTA2ZWQ"
            "4N2Rk%40thread.v2/0?context=%7b%22Tid%22%3a%2200000000-0000-0000-0000-000000000000%22%7d")


def uk(year, month, day, hour=9, minute=30) -> datetime:
    """A UK wall-clock time as an aware UTC datetime, the way the booking code stores it."""
    return datetime(year, month, day, hour, minute, tzinfo=UK).astimezone(UTC)


def surgery(starts_at=None, **overrides) -> CalendarEvent:
    starts_at = starts_at or uk(2026, 6, 16)
    fields = dict(
        uid="surgery-booking-17@ep-events.example.org",
        sequence=0,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=40),
        summary="EP practice surgery (MTC)",
        description=f"Join the surgery on Microsoft Teams:\n{JOIN_URL}\n\nBring your questions; no case detail.",
        location="Microsoft Teams",
        url="http://localhost/bookings/17",
        organizer_email="mtc-surgeries@example.org",
        organizer_name="MTC Early Permanence surgeries",
        attendees=(("Sam Worker", "sam.worker@example.org"),),
    )
    fields.update(overrides)
    return CalendarEvent(**fields)


# Tuesdays either side of the last Sundays of March and October, and the Sundays themselves.
CLOCK_CHANGE_WEEKS = [
    ((2026, 3, 24), "09:30"),  # GMT
    ((2026, 3, 29), "08:30"),  # BST starts 01:00 UTC that morning
    ((2026, 3, 31), "08:30"),
    ((2026, 10, 20), "08:30"),
    ((2026, 10, 25), "09:30"),  # BST ends 01:00 UTC that morning
    ((2026, 10, 27), "09:30"),
    ((2027, 3, 23), "09:30"),
    ((2027, 3, 30), "08:30"),
    ((2027, 10, 26), "08:30"),
    ((2027, 11, 2), "09:30"),
]


@pytest.mark.parametrize(("day", "utc_time"), CLOCK_CHANGE_WEEKS, ids=[f"{d[0]}-{d[1]:02d}-{d[2]:02d}"
                                                                      for d, _ in CLOCK_CHANGE_WEEKS])
def test_a_half_past_nine_uk_surgery_is_at_the_same_utc_instant_for_both_parsers(day, utc_time):
    starts_at = uk(*day)
    expected_start = f"{day[0]}-{day[1]:02d}-{day[2]:02d}T{utc_time}:00.000Z"
    assert _iso(starts_at) == expected_start

    ics = build_invite(surgery(starts_at))
    python, javascript = both_readings(ics)

    assert python["events"][0]["start"] == expected_start
    assert javascript["events"][0]["start"] == expected_start
    assert javascript["events"][0]["end"] == _iso(starts_at + timedelta(minutes=40))
    assert javascript["events"][0]["start_zone"] == "UTC"
    assert f"DTSTART:{starts_at:%Y%m%dT%H%M%S}Z\r\n" in ics
    assert "VTIMEZONE" not in ics and "TZID" not in ics and "RDATE" not in ics


def test_an_invite_is_a_request_with_organiser_and_attendee_that_outlook_and_google_accept():
    with freeze_time("2026-03-02 12:00:00"):
        ics = build_invite(surgery(uk(2026, 3, 31)))
    _, javascript = both_readings(ics)

    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "\n" not in ics.replace("\r\n", "")
    unfolded = ics.replace("\r\n ", "")
    assert "PRODID:-//EP Events//EN\r\n" in unfolded
    assert "VERSION:2.0\r\n" in unfolded
    assert "METHOD:REQUEST\r\n" in unfolded
    assert "DTSTAMP:20260302T120000Z\r\n" in unfolded
    assert unfolded.count("BEGIN:VEVENT") == 1

    assert javascript["method"] == "REQUEST"
    assert javascript["prodid"] == "-//EP Events//EN"
    event = javascript["events"][0]
    assert event["uid"] == "surgery-booking-17@ep-events.example.org"
    assert event["sequence"] == 0
    assert event["status"] == "CONFIRMED"
    assert event["summary"] == "EP practice surgery (MTC)"
    assert event["location"] == "Microsoft Teams"
    assert JOIN_URL in event["description"]
    assert event["organizer"] == {"cn": "MTC Early Permanence surgeries", "value": "mailto:mtc-surgeries@example.org",
                                  "role": None, "partstat": None, "rsvp": None}
    assert event["attendees"] == [{"cn": "Sam Worker", "value": "mailto:sam.worker@example.org",
                                   "role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "FALSE"}]


def test_a_moved_booking_is_the_same_calendar_entry_with_a_higher_sequence():
    first = both_readings(build_invite(surgery(uk(2026, 10, 20))))[1]["events"][0]
    moved = both_readings(build_invite(surgery(uk(2026, 10, 27), sequence=1)))[1]["events"][0]

    assert moved["uid"] == first["uid"]
    assert moved["sequence"] > first["sequence"]
    assert (first["start"], moved["start"]) == ("2026-10-20T08:30:00.000Z", "2026-10-27T09:30:00.000Z")


def test_a_cancellation_keeps_the_uid_raises_the_sequence_and_is_cancelled():
    invite = surgery(uk(2026, 3, 31), sequence=2)
    cancellation = build_cancellation(surgery(uk(2026, 3, 31), sequence=3))
    python, javascript = both_readings(cancellation)

    for reading in (python, javascript):
        assert reading["method"] == "CANCEL"
        (event,) = reading["events"]
        assert event["uid"] == invite.uid
        assert event["sequence"] == 3 > invite.sequence
        assert event["status"] == "CANCELLED"
        assert event["start"] == "2026-03-31T08:30:00.000Z"
    # Outlook removes the entry only for the attendees named in the CANCEL.
    assert [a["value"] for a in javascript["events"][0]["attendees"]] == ["mailto:sam.worker@example.org"]
    assert "METHOD:CANCEL\r\n" in cancellation and "STATUS:CANCELLED\r\n" in cancellation


def test_a_feed_publishes_every_event_with_a_name_and_no_personal_data():
    events = [surgery(uk(2026, 3, 24), uid="slot-1@ep-events.example.org"),
              surgery(uk(2026, 3, 31), uid="slot-2@ep-events.example.org",
                      attendees=(("Alex Other", "alex.other@example.org"), ("Sam Worker", "sam.worker@example.org")))]
    feed = build_feed(events, "MTC EP practice surgeries")
    python, javascript = both_readings(feed)

    assert javascript["method"] == "PUBLISH"
    assert javascript["name"] == "MTC EP practice surgeries"
    assert [e["uid"] for e in javascript["events"]] == ["slot-1@ep-events.example.org", "slot-2@ep-events.example.org"]
    assert [e["start"] for e in javascript["events"]] == ["2026-03-24T09:30:00.000Z", "2026-03-31T08:30:00.000Z"]
    assert all(e["attendees"] == [] for e in python["events"] + javascript["events"])
    assert "ATTENDEE" not in feed
    for personal in ("Sam Worker", "sam.worker", "Alex Other", "alex.other"):
        assert personal not in feed


def test_an_empty_feed_is_still_a_valid_calendar():
    python, javascript = both_readings(build_feed([], "Coram Network Days"))
    assert python["events"] == javascript["events"] == []
    assert javascript["name"] == "Coram Network Days"


def test_names_and_text_with_quotes_commas_and_accents_survive_both_parsers():
    event = surgery(summary="Network Day: managing contact, FFA; ‘Hope Boxes’ – café",
                    organizer_name='Coram "EP" Network, London',
                    attendees=(("Zoë O'Brien-Smith", "zoe@example.org"),))
    ics = build_invite(event)
    _, javascript = both_readings(ics)

    (parsed,) = javascript["events"]
    assert parsed["summary"] == event.summary
    assert parsed["organizer"]["cn"] == "Coram 'EP' Network, London"
    assert parsed["attendees"][0]["cn"] == "Zoë O'Brien-Smith"
    for line in ics.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75


@pytest.mark.parametrize("bad", [
    {"starts_at": datetime(2026, 3, 31, 9, 30)},
    {"ends_at": uk(2026, 6, 16) - timedelta(minutes=1)},
    {"organizer_email": "not an address"},
    {"status": "MAYBE"},
])
def test_a_calendar_event_that_would_land_at_the_wrong_time_or_nowhere_is_refused(bad):
    with pytest.raises(ValueError):
        build_invite(surgery(**bad))
