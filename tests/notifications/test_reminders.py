"""Reminders before each booked surgery: 1 day and 1 hour by default, each sent once."""

from datetime import UTC, date, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.bookings.reminders import send_due_reminders
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from ep_events.notifications.reminders import due_reminder
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.settings import get_settings
from tests import factories

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def queued(kind="surgeries/reminder"):
    return db.session.execute(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == kind)).scalar_one()


def test_due_reminder_picks_the_nearest_offset_and_skips_moments_before_the_booking():
    start = datetime(2026, 12, 10, 9, 30, tzinfo=UTC)
    booked = start - timedelta(days=5)
    assert due_reminder(start, booked, [24, 1], set(), start - timedelta(hours=25)) == (None, [])
    assert due_reminder(start, booked, [24, 1], set(), start - timedelta(hours=24)) == (24, [24])
    assert due_reminder(start, booked, [24, 1], {24}, start - timedelta(hours=2)) == (None, [])
    assert due_reminder(start, booked, [24, 1], {24}, start - timedelta(minutes=30)) == (1, [1])
    # A run that missed the day-before reminder sends only the hour-before one.
    assert due_reminder(start, booked, [24, 1], set(), start - timedelta(minutes=30)) == (1, [1, 24])
    # Booked 3 hours before: no "tomorrow" reminder, just the hour-before one later.
    late = start - timedelta(hours=3)
    assert due_reminder(start, late, [24, 1], set(), late + timedelta(minutes=1)) == (None, [24])
    assert due_reminder(start, booked, [24, 1], set(), start) == (None, [])


def test_send_reminders_twice_sends_each_reminder_once_and_skips_cancelled_bookings(app, deliver, mailbox):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, day=date(2026, 12, 15), now=NOW,
                                          teams_url=factories.TEAMS_URL)
    keep = factories.user(email="keep@example.org")
    drop = factories.user(email="drop@example.org")
    kept, _ = book_slot(surgery_date.slots[0], keep, "general", now=NOW)
    dropped, _ = book_slot(surgery_date.slots[1], drop, "general", now=NOW)
    kept.created_at = dropped.created_at = NOW
    cancel_booking(dropped, drop, now=NOW)
    db.session.commit()
    deliver()
    mailbox.clear()

    day_before = surgery_date.slots[1].starts_at - timedelta(hours=23)
    assert send_due_reminders(now=day_before) == 1
    assert send_due_reminders(now=day_before) == 0
    db.session.commit()
    messages = deliver()
    assert [m.recipients for m in messages] == [["keep@example.org"]]
    assert messages[0].subject.startswith("Reminder: practice surgery tomorrow")
    assert factories.TEAMS_URL in messages[0].text

    hour_before = kept.slot.starts_at - timedelta(minutes=50)
    assert send_due_reminders(now=hour_before) == 1
    assert send_due_reminders(now=hour_before) == 0
    assert queued() == 2


def test_reminder_offsets_are_a_programme_setting(app):
    programme = factories.surgery_programme()
    get_settings(programme).reminder_hours = [48]
    surgery_date = factories.surgery_date(programme, day=date(2026, 12, 15), now=NOW)
    booking, _ = book_slot(surgery_date.slots[0], factories.user(), "general", now=NOW)
    booking.created_at = NOW
    start = booking.slot.starts_at
    assert send_due_reminders(now=start - timedelta(hours=47)) == 1
    assert send_due_reminders(now=start - timedelta(minutes=30)) == 0


def test_the_send_reminders_command_is_idempotent(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, day=date(2026, 12, 15), now=NOW)
    booking, _ = book_slot(surgery_date.slots[0], factories.user(), "general", now=NOW)
    booking.created_at = NOW
    db.session.commit()
    runner = app.test_cli_runner()
    # The command reads the real clock: hold it 23 hours before the slot, when the day-before reminder is due.
    with freeze_time(booking.slot.starts_at - timedelta(hours=23)):
        first = runner.invoke(args=["send-reminders"])
        second = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "reminders queued: 1" in first.output
    assert "reminders queued: 0" in second.output
    assert queued() == 1
