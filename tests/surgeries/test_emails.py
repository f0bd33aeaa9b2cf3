"""Confirmation, update and cancellation emails arrive over SMTP with calendar invites that keep their UID."""

from icalendar import Calendar

from ep_events.extensions import db
from ep_events.surgeries.booking_changes import cancel_booking, move_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.dates import facilitator_cancel_slot, set_teams_url
from ep_events.surgeries.models import SlotStatus
from ep_events.surgeries.waitlist import join_waitlist, open_offers_for
from tests import factories
from tests.ics import both_readings


def calendar_of(message):
    """The invite in an email, after checking icalendar and ical.js read the same instants from it."""
    text = message.part("text/calendar")
    assert text, "no text/calendar part"
    both_readings(text)
    calendar = Calendar.from_ical(text)
    event = next(c for c in calendar.walk("VEVENT"))
    return calendar, event


def test_booking_sends_confirmation_with_invite_to_booker_and_colleagues(app, deliver):
    programme = factories.surgery_programme(contact_email="mtc@example.org")
    surgery_date = factories.surgery_date(programme, days_ahead=10, teams_url=factories.TEAMS_URL)
    person = factories.user(email="booker@example.org")
    colleagues = [{"name": "Col League", "email": "colleague@example.org"}]
    with app.test_request_context():
        booking, _ = book_slot(surgery_date.slots[0], person, "legal-cafcass",
                               outline="Care planning question about FfA", colleagues=colleagues)
    db.session.commit()
    messages = deliver()
    assert sorted(m.recipients[0] for m in messages) == ["booker@example.org", "colleague@example.org"]
    mine = next(m for m in messages if m.recipients == ["booker@example.org"])
    assert mine.subject.startswith("Surgery booked:")
    assert "(UK time)" in mine.subject
    assert factories.TEAMS_URL in mine.text and factories.TEAMS_URL in mine.html
    # Emails carry no case detail: the outline stays in the service.
    assert "Care planning question" not in mine.text and "Care planning question" not in mine.html
    calendar, event = calendar_of(mine)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == booking.uid
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == surgery_date.slots[0].starts_at
    assert "mtc@example.org" in str(event["ORGANIZER"])
    assert "Care planning" not in event.to_ical().decode()


def test_moving_sends_the_same_uid_with_a_higher_sequence_and_the_new_time(app, deliver):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    person = factories.user()
    booking, _ = book_slot(surgery_date.slots[0], person, "general")
    db.session.commit()
    deliver()
    move_booking(booking, surgery_date.slots[2], person)
    db.session.commit()
    messages = deliver()
    update = messages[-1]
    assert update.subject.startswith("Surgery updated:")
    calendar, event = calendar_of(update)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == booking.uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == surgery_date.slots[2].starts_at


def test_cancelling_sends_method_cancel_for_the_same_uid(app, deliver):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    person = factories.user()
    booking, _ = book_slot(surgery_date.slots[0], person, "general")
    db.session.commit()
    deliver()
    cancel_booking(booking, person, "Clash")
    db.session.commit()
    cancel = deliver()[-1]
    assert cancel.subject.startswith("Surgery cancelled:")
    calendar, event = calendar_of(cancel)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == booking.uid
    assert int(event["SEQUENCE"]) == 1
    assert "method=CANCEL" in cancel.message.as_string().replace('"', "")


def test_changing_the_teams_link_sends_everyone_booked_the_updated_invite(app, deliver):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10, teams_url=factories.TEAMS_URL)
    a, b = factories.user(), factories.user()
    booking_a, _ = book_slot(surgery_date.slots[0], a, "general")
    book_slot(surgery_date.slots[1], b, "general")
    db.session.commit()
    deliver()
    new_link = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NEW%40thread.v2/0"
    assert set_teams_url(None, surgery_date, new_link) == 2
    db.session.commit()
    updates = deliver()[-2:]
    assert {m.recipients[0] for m in updates} == {a.email, b.email}
    for message in updates:
        assert new_link in message.text
        _, event = calendar_of(message)
        assert int(event["SEQUENCE"]) == 1


def test_a_facilitator_cancelling_a_slot_tells_the_booker_and_does_not_reoffer_it(app, deliver, mailbox):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    people = [factories.user() for _ in surgery_date.slots]
    for slot, person in zip(surgery_date.slots, people):
        book_slot(slot, person, "general")
    waiting = factories.user()
    join_waitlist(surgery_date, waiting)
    db.session.commit()
    deliver()
    mailbox.clear()
    facilitator_cancel_slot(None, surgery_date.slots[0], "Facilitator unwell, sorry")
    db.session.commit()
    messages = deliver()
    assert [m.recipients for m in messages] == [[people[0].email]]
    assert "Facilitator unwell, sorry" in messages[0].text
    _, event = calendar_of(messages[0])
    assert str(event["STATUS"]) == "CANCELLED"
    assert surgery_date.slots[0].status is SlotStatus.CANCELLED
    assert open_offers_for(waiting) == []
