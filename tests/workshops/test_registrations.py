"""Registering for a workshop: one step, one place each, within the registration window and capacity; the
waiting list (offers held 12 hours, never past registration close; accepted, declined, expired); releasing a
person whose account goes; and the registration in My bookings, the personal feed, reminders, the API and the
data download through the workshops kind."""

import io
import json
import zipfile
from datetime import UTC, datetime, time, timedelta

import pytest
from icalendar import Calendar

from ep_events.accounts.services import regenerate_feed_token
from ep_events.bookings.models import PlaceStatus, WaitlistStatus
from ep_events.bookings.reminders import send_due_reminders
from ep_events.core.errors import DomainError
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.workshops.kind import KIND
from ep_events.workshops.registrations import cancel_registration, register, release_person
from ep_events.workshops.waitlist import accept_offer, decline_offer, expire_offers, join_waitlist, leave_waitlist
from ep_events.workshops.workshops import cancel_workshop
from tests.conftest import sign_in
from tests.workshops.conftest import NOW, workshop


def test_registering_gives_one_place_with_the_teams_link_and_an_invite(world, mail):
    made = workshop(world)
    place = register(made, world.alice, now=NOW)
    db.session.commit()
    assert (place.status, place.starts_at, place.ends_at) == (PlaceStatus.CONFIRMED, made.starts_at, made.ends_at)
    [message] = mail()
    assert message.recipients == ["alice@example.org"]
    assert message.subject == "You are registered: Managing family time in EP, Wednesday 16 June 2027"
    assert "Time: 10:00am to 11:30am (UK time)" in message.text
    assert "Join on Microsoft Teams: https://teams.microsoft.com/" in message.text
    calendar = Calendar.from_ical(message.part("text/calendar"))
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (place.uid, 0)
    assert event.decoded("DTSTART") == datetime(2027, 6, 16, 9, 0, tzinfo=UTC)
    assert "teams.microsoft.com" in str(event["LOCATION"])
    with pytest.raises(DomainError, match="already have a place"):
        register(made, world.alice, now=NOW)


def test_without_a_link_yet_the_email_says_it_will_follow(world, mail):
    register(workshop(world, online_url=""), world.alice, now=NOW)
    db.session.commit()
    [message] = mail()
    assert "the organisers will send it before the workshop" in message.text


def test_registration_is_refused_when_full_closed_draft_cancelled_or_started(world):
    full = workshop(world, capacity=1)
    register(full, world.alice, now=NOW)
    with pytest.raises(DomainError, match="no places left"):
        register(full, world.bola, now=NOW)
    closing = workshop(world, registration_closes_at=datetime(2027, 6, 1, 12, 0, tzinfo=UTC))
    with pytest.raises(DomainError, match="Registration for this workshop has closed"):
        register(closing, world.alice, now=datetime(2027, 6, 1, 12, 0, tzinfo=UTC))
    register(closing, world.alice, now=datetime(2027, 6, 1, 11, 59, tzinfo=UTC))
    with pytest.raises(DomainError, match="not taking registrations"):
        register(workshop(world, publish=False), world.alice, now=NOW)
    cancelled = workshop(world)
    cancel_workshop(world.organiser, cancelled, "", now=NOW)
    with pytest.raises(DomainError, match="not taking registrations"):
        register(cancelled, world.alice, now=NOW)
    with pytest.raises(DomainError, match="not taking registrations"):
        register(workshop(world), world.alice, now=datetime(2027, 6, 16, 9, 0, tzinfo=UTC))


def test_cancelling_sends_a_cancel_with_a_higher_sequence_and_offers_the_place_to_the_first_waiting(world, mail):
    made = workshop(world, capacity=1)
    place = register(made, world.alice, now=NOW)
    first = join_waitlist(made, world.bola, now=NOW)
    second = join_waitlist(made, world.chen, now=NOW + timedelta(minutes=1))
    db.session.commit()
    mail()
    with pytest.raises(DomainError, match="already on the waiting list"):
        join_waitlist(made, world.bola, now=NOW)
    assert cancel_registration(place, world.alice, now=NOW) == 1
    db.session.commit()
    assert (place.status, first.status, second.status) == (
        PlaceStatus.CANCELLED, WaitlistStatus.OFFERED, WaitlistStatus.WAITING)
    assert first.offer_expires_at == NOW + timedelta(hours=12)
    messages = {m.recipients[0]: m for m in mail()}
    calendar = Calendar.from_ical(messages["alice@example.org"].part("text/calendar"))
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL" and (str(event["UID"]), int(event["SEQUENCE"])) == (place.uid, 1)
    assert "held for you until Monday 1 March 2027, 9:00pm (UK time)" in messages["bola@example.org"].text
    # The place is held for Bola: nobody else can take it.
    with pytest.raises(DomainError, match="no places left"):
        register(made, world.dana, now=NOW)
    taken = accept_offer(first, world.bola, now=NOW + timedelta(hours=1))
    assert taken.is_confirmed and first.status is WaitlistStatus.BOOKED


def test_an_offer_never_lasts_past_registration_close(world):
    closes = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    made = workshop(world, capacity=1, registration_closes_at=closes)
    place = register(made, world.alice, now=NOW)
    entry = join_waitlist(made, world.bola, now=NOW)
    cancel_registration(place, world.alice, now=NOW)
    assert entry.offer_expires_at == closes
    # Once registration has closed, a freed place is not offered.
    late = workshop(world, capacity=1, registration_closes_at=closes)
    late_place = register(late, world.alice, now=NOW)
    late_entry = join_waitlist(late, world.chen, now=NOW)
    assert cancel_registration(late_place, world.alice, now=closes) == 0
    assert late_entry.status is WaitlistStatus.WAITING


def test_an_expired_offer_goes_to_the_next_person_and_running_the_job_twice_does_it_once(world, mail):
    made = workshop(world, capacity=1)
    place = register(made, world.alice, now=NOW)
    first = join_waitlist(made, world.bola, now=NOW)
    second = join_waitlist(made, world.chen, now=NOW + timedelta(minutes=1))
    cancel_registration(place, world.alice, now=NOW)
    db.session.commit()
    mail()
    later = NOW + timedelta(hours=12)
    assert expire_offers(now=later) == 1
    assert expire_offers(now=later) == 0
    db.session.expire_all()
    assert (first.status, second.status) == (WaitlistStatus.EXPIRED, WaitlistStatus.OFFERED)
    messages = {m.recipients[0]: m.subject for m in mail()}
    assert messages == {"bola@example.org": "The place offered to you has gone: Managing family time in EP",
                        "chen@example.org": "A place is free for you: Managing family time in EP, "
                                            "Wednesday 16 June 2027"}
    with pytest.raises(DomainError, match="already been accepted, declined or has expired"):
        accept_offer(first, world.bola, now=later)


def test_declining_or_leaving_passes_the_offer_on(world):
    made = workshop(world, capacity=1)
    place = register(made, world.alice, now=NOW)
    first = join_waitlist(made, world.bola, now=NOW)
    second = join_waitlist(made, world.chen, now=NOW + timedelta(minutes=1))
    third = join_waitlist(made, world.dana, now=NOW + timedelta(minutes=2))
    cancel_registration(place, world.alice, now=NOW)
    with pytest.raises(DomainError, match="not for you"):
        accept_offer(first, world.chen, now=NOW)
    assert decline_offer(first, world.bola, now=NOW) == 1
    assert second.status is WaitlistStatus.OFFERED
    leave_waitlist(second, world.chen, now=NOW)
    assert (first.status, second.status, third.status) == (
        WaitlistStatus.DECLINED, WaitlistStatus.LEFT, WaitlistStatus.OFFERED)


def test_joining_the_waiting_list_needs_a_full_open_workshop(world):
    made = workshop(world, capacity=1)
    with pytest.raises(DomainError, match="still has places"):
        join_waitlist(made, world.alice, now=NOW)
    register(made, world.alice, now=NOW)
    with pytest.raises(DomainError, match="already have a place"):
        join_waitlist(made, world.alice, now=NOW)


def test_releasing_a_person_cancels_upcoming_places_and_waiting_lists_and_keeps_past_ones(world, mail):
    past = workshop(world)
    past_place = register(past, world.alice, now=NOW)
    upcoming = workshop(world, capacity=1)
    place = register(upcoming, world.alice, now=NOW)
    full = workshop(world, capacity=1)
    register(full, world.bola, now=NOW)
    entry = join_waitlist(full, world.alice, now=NOW)
    waiting = join_waitlist(upcoming, world.chen, now=NOW)
    db.session.commit()
    mail()
    # "Now" is between the two: the past one has ended (the fixed dates are the same day, so move one).
    past.starts_at = past_place.starts_at = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    past.ends_at = past_place.ends_at = datetime(2027, 3, 1, 8, 30, tzinfo=UTC)
    assert release_person(world.alice, now=NOW) == 1
    assert (past_place.status, place.status, entry.status) == (
        PlaceStatus.CONFIRMED, PlaceStatus.CANCELLED, WaitlistStatus.LEFT)
    assert waiting.status is WaitlistStatus.OFFERED
    assert KIND.release_person(world.alice, NOW) == 0


# --- Through the workshops kind: the pages on the real clock, the workshop well ahead of it ---------

def _live(world, **changes):
    return workshop(world, now=utcnow(), day=(utcnow() + timedelta(days=20)).date(), **changes)


def test_a_registration_is_in_my_bookings_and_the_personal_feed(client, world):
    made = _live(world, starts=time(9, 30))
    place = register(made, world.alice)
    token = regenerate_feed_token(world.alice)
    db.session.commit()
    sign_in(client, world.alice)
    html = client.get("/bookings").get_data(as_text=True)
    assert f'href="/workshops/registrations/{place.id}"' in html
    assert "Managing family time in EP" in html and "Adoption England P&amp;SD workshops" in html
    feed = client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    [event] = Calendar.from_ical(feed.get_data(as_text=True)).walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (place.uid, place.sequence)
    assert event.decoded("DTSTART") == made.starts_at


def test_a_waiting_list_place_is_in_my_bookings_with_its_leave_button(client, world):
    made = _live(world, capacity=1)
    register(made, world.bola)
    entry = join_waitlist(made, world.alice)
    db.session.commit()
    sign_in(client, world.alice)
    html = client.get("/bookings").get_data(as_text=True)
    assert f'action="/workshops/waitlist/{entry.id}/leave"' in html
    assert client.post(f"/workshops/waitlist/{entry.id}/leave").status_code == 302
    assert entry.status is WaitlistStatus.LEFT


def test_reminders_go_a_day_and_an_hour_before(world, mail):
    made = _live(world)
    register(made, world.alice)
    db.session.commit()
    mail()
    assert send_due_reminders(now=made.starts_at - timedelta(hours=23)) == 1
    assert send_due_reminders(now=made.starts_at - timedelta(hours=23)) == 0
    assert send_due_reminders(now=made.starts_at - timedelta(minutes=50)) == 1
    db.session.commit()
    subjects = sorted(m.subject for m in mail())
    assert subjects == ["Reminder: Managing family time in EP in an hour, 10:00am (UK time)",
                        "Reminder: Managing family time in EP tomorrow, 10:00am (UK time)"]


def test_the_api_lists_the_workshop_with_places_left_and_its_fields(client, world):
    made = _live(world, capacity=5)
    register(made, world.alice)
    db.session.commit()
    [listed] = [e for e in client.get("/api/v1/events").get_json() if e["id"] == f"workshop-{made.id}"]
    assert listed["places_left"] == 4 and listed["kind"] == "workshops"
    assert listed["title"] == "Workshop: Managing family time in EP"
    assert listed["details"]["topic"] == "Family time" and listed["details"]["practice_standards"] == ["S3", "S5"]
    assert listed["url"].endswith(f"/workshops/pds-workshops/{made.id}")


def test_the_data_download_holds_the_registration_and_waiting_list(client, world):
    made = _live(world, capacity=1)
    place = register(made, world.bola)
    other = _live(world)
    mine = register(other, world.alice)
    join_waitlist(made, world.alice)
    db.session.commit()
    sign_in(client, world.alice)
    response = client.post("/account/my-data")
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.get_data())).read("my-data.json"))
    assert [p["calendar_uid"] for p in data["places"]] == [mine.uid]
    assert [e["workshop"] for e in data["workshop_waiting_lists"]] == ["Managing family time in EP"]
    assert place.uid not in json.dumps(data)


def test_the_expire_offers_command_passes_expired_workshop_offers_on(app, world):
    made = _live(world, capacity=1)
    place = register(made, world.alice)
    entry = join_waitlist(made, world.bola)
    cancel_registration(place, world.alice)
    entry.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["expire-offers"])
    assert result.exit_code == 0, result.output
    assert "workshop offers expired: 1" in result.output
    db.session.expire_all()
    assert entry.status is WaitlistStatus.EXPIRED
