"""Every booking rule, both sides of its boundary, at the service level."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ep_events.core.errors import DomainError
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from ep_events.surgeries.attendance import mark_attendance
from ep_events.surgeries.booking_changes import cancel_booking, move_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import Attendance, SurgeryBooking
from ep_events.surgeries.retention import purge_expired_outlines
from ep_events.surgeries.settings import get_settings
from tests import factories

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 12, 15)  # GMT


@pytest.fixture
def setup(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, day=DAY, now=NOW)
    person = factories.user()
    return programme, surgery_date, person


def bookings():
    return db.session.execute(select(func.count(SurgeryBooking.id))).scalar_one()


def outbox_count():
    return db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()


def test_booking_a_free_slot_creates_one_booking_and_queues_the_confirmation(setup):
    _, surgery_date, person = setup
    booking, created = book_slot(surgery_date.slots[0], person, "general", now=NOW)
    assert created and booking.is_confirmed
    assert outbox_count() == 1


def test_booking_closes_24_hours_before_the_slot(setup):
    _, surgery_date, person = setup
    slot = surgery_date.slots[0]
    just_open = slot.starts_at - timedelta(hours=24, seconds=1)
    book_slot(slot, person, "general", now=just_open)
    other = factories.user()
    closed = slot.starts_at - timedelta(hours=24)
    with pytest.raises(DomainError, match="closed 24 hours before"):
        book_slot(surgery_date.slots[1], other, "general", now=closed + timedelta(hours=1, minutes=50))


def test_booking_close_time_is_a_programme_setting(setup):
    programme, surgery_date, person = setup
    get_settings(programme).booking_close_hours = 2
    slot = surgery_date.slots[0]
    booking, _ = book_slot(slot, person, "general", now=slot.starts_at - timedelta(hours=2, minutes=1))
    assert booking.is_confirmed
    with pytest.raises(DomainError, match="closed 2 hours before"):
        book_slot(surgery_date.slots[1], factories.user(), "general",
                  now=surgery_date.slots[1].starts_at - timedelta(hours=2))


def test_no_booking_in_the_past(setup):
    _, surgery_date, person = setup
    slot = surgery_date.slots[0]
    with pytest.raises(DomainError, match="in the past"):
        book_slot(slot, person, "general", now=slot.starts_at + timedelta(minutes=1))
    assert bookings() == 0


def test_a_practitioner_holds_at_most_two_upcoming_bookings(setup):
    programme, surgery_date, person = setup
    book_slot(surgery_date.slots[0], person, "general", now=NOW)
    book_slot(surgery_date.slots[1], person, "general", now=NOW)
    with pytest.raises(DomainError, match="You have 2 upcoming bookings, the most you can hold"):
        book_slot(surgery_date.slots[2], person, "general", now=NOW)
    assert bookings() == 2


def test_past_bookings_do_not_count_towards_the_limit(setup):
    programme, surgery_date, person = setup
    later = factories.surgery_date(programme, day=DAY + timedelta(days=7), now=NOW)
    book_slot(surgery_date.slots[0], person, "general", now=NOW)
    book_slot(surgery_date.slots[1], person, "general", now=NOW)
    after_first_date = surgery_date.ends_at + timedelta(hours=1)
    booking, created = book_slot(later.slots[0], person, "general", now=after_first_date)
    assert created


def test_the_limit_is_a_programme_setting(setup):
    programme, surgery_date, person = setup
    get_settings(programme).max_upcoming_bookings = 1
    book_slot(surgery_date.slots[0], person, "general", now=NOW)
    with pytest.raises(DomainError, match="You have 1 upcoming booking, the most you can hold"):
        book_slot(surgery_date.slots[1], person, "general", now=NOW)


def test_a_slot_takes_one_booking(setup):
    _, surgery_date, person = setup
    book_slot(surgery_date.slots[0], person, "general", now=NOW)
    with pytest.raises(DomainError, match="Sorry, that slot has just been taken"):
        book_slot(surgery_date.slots[0], factories.user(), "general", now=NOW)
    assert bookings() == 1


def test_submitting_the_same_booking_twice_books_once_and_emails_once(setup):
    _, surgery_date, person = setup
    first, created = book_slot(surgery_date.slots[0], person, "general", now=NOW)
    second, created_again = book_slot(surgery_date.slots[0], person, "general", now=NOW)
    assert created and not created_again and first is second
    assert bookings() == 1
    assert outbox_count() == 1


def test_theme_must_be_one_of_the_flyer_themes(setup):
    _, surgery_date, person = setup
    with pytest.raises(DomainError, match="Choose what you would like to discuss"):
        book_slot(surgery_date.slots[0], person, "not-a-theme", now=NOW)


def test_outline_is_length_limited(setup):
    _, surgery_date, person = setup
    book_slot(surgery_date.slots[0], person, "general", outline="x" * 500, now=NOW)
    with pytest.raises(DomainError, match="500 characters or fewer"):
        book_slot(surgery_date.slots[1], factories.user(), "general", outline="x" * 501, now=NOW)


def test_up_to_two_colleagues(setup):
    _, surgery_date, person = setup
    two = [{"name": "A Colleague", "email": "a@example.org"}, {"name": "B Colleague", "email": "b@example.org"}]
    booking, _ = book_slot(surgery_date.slots[0], person, "general", colleagues=two, now=NOW)
    assert booking.colleagues == two
    three = two + [{"name": "C", "email": "c@example.org"}]
    with pytest.raises(DomainError, match="up to 2 colleagues"):
        book_slot(surgery_date.slots[1], factories.user(), "general", colleagues=three, now=NOW)


def test_draft_dates_cannot_be_booked(app):
    programme = factories.surgery_programme()
    draft = factories.surgery_date(programme, day=DAY, now=NOW, publish=False)
    with pytest.raises(DomainError, match="not available"):
        book_slot(draft.slots[0], factories.user(), "general", now=NOW)


def test_cancelling_frees_the_slot_for_someone_else(setup):
    _, surgery_date, person = setup
    booking, _ = book_slot(surgery_date.slots[0], person, "general", now=NOW)
    cancel_booking(booking, person, "Diary clash", now=NOW)
    assert booking.status.value == "cancelled" and booking.cancel_reason == "Diary clash"
    other, created = book_slot(surgery_date.slots[0], factories.user(), "general", now=NOW)
    assert created


def test_moving_keeps_the_booking_and_raises_its_sequence(setup):
    _, surgery_date, person = setup
    booking, _ = book_slot(surgery_date.slots[0], person, "general", now=NOW)
    uid = booking.uid
    move_booking(booking, surgery_date.slots[2], person, now=NOW)
    assert booking.slot_id == surgery_date.slots[2].id
    assert booking.uid == uid and booking.sequence == 1
    assert bookings() == 1


def test_moving_to_a_taken_slot_is_refused(setup):
    _, surgery_date, person = setup
    booking, _ = book_slot(surgery_date.slots[0], person, "general", now=NOW)
    book_slot(surgery_date.slots[1], factories.user(), "general", now=NOW)
    with pytest.raises(DomainError, match="just been taken"):
        move_booking(booking, surgery_date.slots[1], person, now=NOW)
    assert booking.slot_id == surgery_date.slots[0].id


def test_moving_to_a_slot_of_another_programme_is_refused(setup):
    _, surgery_date, person = setup
    other_programme = factories.surgery_programme()
    other_date = factories.surgery_date(other_programme, day=DAY, now=NOW)
    booking, _ = book_slot(surgery_date.slots[0], person, "general", now=NOW)
    with pytest.raises(DomainError, match="same programme"):
        move_booking(booking, other_date.slots[0], person, now=NOW)


def test_outlines_are_erased_after_the_retention_time_and_purge_is_idempotent(setup):
    programme, surgery_date, person = setup
    booking, _ = book_slot(surgery_date.slots[0], person, "general", outline="Thinking about FfA", now=NOW)
    end = booking.slot.ends_at
    assert purge_expired_outlines(now=end + timedelta(days=29, hours=23)) == 0
    assert booking.outline == "Thinking about FfA"
    assert purge_expired_outlines(now=end + timedelta(days=30)) == 1
    assert booking.outline == "" and booking.outline_erased_at is not None
    assert purge_expired_outlines(now=end + timedelta(days=31)) == 0


def test_attendance_can_be_marked_only_once_the_slot_has_started(setup):
    _, surgery_date, person = setup
    booking, _ = book_slot(surgery_date.slots[0], person, "general", now=NOW)
    with pytest.raises(DomainError, match="once the slot has started"):
        mark_attendance(None, booking, Attendance.ATTENDED, now=booking.slot.starts_at - timedelta(minutes=1))
    mark_attendance(None, booking, Attendance.ATTENDED, now=booking.slot.starts_at)
    assert booking.attendance is Attendance.ATTENDED
