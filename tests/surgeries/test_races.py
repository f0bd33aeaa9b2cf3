"""Concurrent clicks: the database, not Python, guarantees no double booking (SQLite and PostgreSQL)."""


import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import User
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import BookingStatus, SlotOffer, SurgeryBooking, SurgerySlot
from ep_events.surgeries.waitlist import accept_offer, join_waitlist
from tests import factories
from tests.races import race


def _counts():
    bookings = db.session.execute(select(func.count(SurgeryBooking.id))
                                  .where(SurgeryBooking.status == BookingStatus.CONFIRMED)).scalar_one()
    outbox = db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()
    return bookings, outbox


def _fifty_people_one_slot(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    people = [factories.user() for _ in range(50)]
    db.session.commit()
    slot_id, person_ids = surgery_date.slots[0].id, [p.id for p in people]

    def attempt_for(person_id):
        def attempt():
            book_slot(db.session.get(SurgerySlot, slot_id), db.session.get(User, person_id), "general")
        return attempt

    results = race(app, [attempt_for(pid) for pid in person_ids])
    assert results.count("ok") == 1, results
    assert all(r == "ok" or r.startswith("Sorry, that slot has just been taken") for r in results), results
    db.session.expire_all()
    assert _counts() == (1, 1)


def test_fifty_people_booking_one_slot_at_once_on_sqlite_gives_exactly_one_booking(app):
    _fifty_people_one_slot(app)


@pytest.mark.postgres
def test_fifty_people_booking_one_slot_at_once_on_postgresql_gives_exactly_one_booking(pg_app):
    _fifty_people_one_slot(pg_app)


def _person_at_limit_books_twice(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    person = factories.user()
    book_slot(surgery_date.slots[0], person, "general")
    db.session.commit()
    slot_ids, person_id = [s.id for s in surgery_date.slots[1:]], person.id

    def attempt_for(slot_id):
        def attempt():
            book_slot(db.session.get(SurgerySlot, slot_id), db.session.get(User, person_id), "general")
        return attempt

    # Two different slots at once, five clicks each: the limit of 2 allows exactly one more booking.
    # Repeat clicks on the slot that won return that same booking ("ok"), so count bookings, not oks.
    results = race(app, [attempt_for(sid) for sid in slot_ids * 5])
    assert all(r == "ok" or "You have 2 upcoming bookings, the most you can hold" in r for r in results), results
    assert "ok" in results and any("You have 2 upcoming bookings" in r for r in results), results
    db.session.expire_all()
    assert _counts() == (2, 2)


def test_a_practitioner_at_their_limit_booking_twice_at_once_on_sqlite(app):
    _person_at_limit_books_twice(app)


@pytest.mark.postgres
def test_a_practitioner_at_their_limit_booking_twice_at_once_on_postgresql(pg_app):
    _person_at_limit_books_twice(pg_app)


def _offer_accepted_twice(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    booker = factories.user()
    others = [factories.user() for _ in range(len(surgery_date.slots) - 1)]
    booking, _ = book_slot(surgery_date.slots[0], booker, "general")
    for slot, other in zip(surgery_date.slots[1:], others):
        book_slot(slot, other, "general")
    waiting = factories.user()
    join_waitlist(surgery_date, waiting)
    cancel_booking(booking, booker)
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    db.session.commit()
    offer_id, waiting_id, intruder = offer.id, waiting.id, factories.user()
    db.session.commit()
    intruder_id, slot_id = intruder.id, offer.slot_id

    def accept():
        accept_offer(db.session.get(SlotOffer, offer_id), db.session.get(User, waiting_id))

    def snatch():
        book_slot(db.session.get(SurgerySlot, slot_id), db.session.get(User, intruder_id), "general")

    results = race(app, [accept] * 10 + [snatch] * 5)
    assert results[:10].count("ok") == 1, results
    assert all(r == "ok" or "already been accepted" in r for r in results[:10]), results
    assert all("Sorry, that slot has just been taken" in r for r in results[10:]), results
    db.session.expire_all()
    booked = db.session.execute(select(SurgeryBooking).where(SurgeryBooking.slot_id == slot_id,
                                                             SurgeryBooking.status == BookingStatus.CONFIRMED)
                                ).scalar_one()
    assert booked.user_id == waiting_id


def test_an_offer_accepted_twice_at_once_books_once_on_sqlite(app):
    _offer_accepted_twice(app)


@pytest.mark.postgres
def test_an_offer_accepted_twice_at_once_books_once_on_postgresql(pg_app):
    _offer_accepted_twice(pg_app)


