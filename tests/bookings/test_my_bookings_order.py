"""My bookings' one paged statement orders and pages the same way on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time

from ep_events.bookings.mine import my_bookings
from ep_events.extensions import db
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.settings import get_settings
from ep_events.surgeries.waitlist import join_waitlist
from tests import factories

NOW = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)  # Monday 11 January 2027, 9am UK time


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def either_database(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def test_upcoming_soonest_first_then_past_and_cancelled_latest_first_a_page_at_a_time(either_database):
    programme = factories.surgery_programme()
    get_settings(programme).max_upcoming_bookings = 10
    person = factories.user()
    back_then = datetime(2026, 12, 1, tzinfo=UTC)
    with freeze_time(back_then):
        days = [date(2027, 1, d) for d in (5, 6, 7, 13, 14, 15)]  # three past, three to come
        dates = {d: factories.surgery_date(programme, day=d, now=back_then) for d in days}
        booked = {d: book_slot(dates[d].slots[0], person, "general", now=back_then)[0] for d in days}
        # A cancelled one among those to come is listed with the past and cancelled ones.
        cancel_booking(booked[date(2027, 1, 14)], person, now=back_then)
        full = factories.surgery_date(programme, day=date(2027, 1, 20), now=back_then)
        for slot in full.slots:
            book_slot(slot, factories.user(), "general", now=back_then)
        join_waitlist(full, person, now=back_then)
        db.session.commit()

    with either_database.test_request_context():  # each row's link is built for the page
        first = my_bookings(person, page=1, per_page=3, now=NOW)
        second = my_bookings(person, page=2, per_page=3, now=NOW)
    assert [p.starts_at.date() for p in first.upcoming] == [date(2027, 1, 13), date(2027, 1, 15)]
    assert [p.starts_at.date() for p in first.past] == [date(2027, 1, 14)]
    assert [p.status_label for p in first.upcoming + first.past] == ["Booked", "Booked", "Cancelled"]
    assert first.has_more and all(p.url == f"/bookings/{p.id}" for p in first.upcoming)
    assert second.upcoming == [] and not second.has_more
    assert [p.starts_at.date() for p in second.past] == [date(2027, 1, 7), date(2027, 1, 6), date(2027, 1, 5)]
    # The waiting list comes with every page, and names what it is for.
    assert [(w.title, w.starts_at.date(), w.offered) for w in first.waiting] == [
        ("Practice surgery", date(2027, 1, 20), False)]
