"""A full date keeps a waiting list; a freed slot is offered to the first person, who has a set time."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from ep_events.bookings.people import delete_account
from ep_events.core.audit import AuditEntry
from ep_events.core.errors import DomainError
from ep_events.core.urls import external_url
from ep_events.extensions import db
from ep_events.surgeries.availability import upcoming_availability
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import OfferStatus, SlotOffer, WaitlistStatus
from ep_events.surgeries.settings import get_settings
from ep_events.surgeries.waitlist import (
    AlreadyOnWaitlist,
    accept_offer,
    decline_offer,
    expire_offers,
    join_waitlist,
    leave_waitlist,
    offer_terms,
    user_waitlist,
)
from tests import factories


@pytest.fixture
def full_date(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    bookings = [book_slot(slot, factories.user(), "general")[0] for slot in surgery_date.slots]
    return programme, surgery_date, bookings


def actions():
    return [e.action for e in db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]


def test_only_a_full_date_has_a_waiting_list(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    with pytest.raises(DomainError, match="still has free slots"):
        join_waitlist(surgery_date, factories.user())


def test_a_full_date_has_a_waiting_list_until_its_last_slot_closes_for_booking(full_date):
    """Booking closes 24 hours before a slot: once the last slot is that close, a cancellation could
    free nothing bookable, so nobody is put on a list that can never offer them anything."""
    programme, surgery_date, bookings = full_date
    last_close = surgery_date.slots[-1].starts_at - timedelta(hours=24)
    waiting = factories.user()
    entry = join_waitlist(surgery_date, waiting, now=last_close - timedelta(minutes=1))
    assert entry.status is WaitlistStatus.WAITING
    with pytest.raises(DomainError, match="Booking has closed for this date"):
        join_waitlist(surgery_date, factories.user(), now=last_close)


def test_a_freed_slot_is_offered_to_the_first_person_waiting_by_email(full_date, deliver, mailbox):
    programme, surgery_date, bookings = full_date
    first, second = factories.user(), factories.user()
    join_waitlist(surgery_date, first)
    join_waitlist(surgery_date, second)
    db.session.commit()
    deliver()
    mailbox.clear()
    cancel_booking(bookings[0], bookings[0].user)
    db.session.commit()
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    assert offer.entry.user_id == first.id
    assert offer.expires_at - offer.offered_at == timedelta(hours=12)
    offer_mail = [m for m in deliver() if m.recipients == [first.email]]
    assert offer_mail and offer_mail[0].subject.startswith("A surgery slot is free for you")
    assert f"/offers/{offer.id}" in offer_mail[0].text
    assert "surgery.offer.make" in actions()


def test_while_offered_the_slot_is_held_for_that_person(full_date):
    programme, surgery_date, bookings = full_date
    waiting = factories.user()
    join_waitlist(surgery_date, waiting)
    cancel_booking(bookings[0], bookings[0].user)
    with pytest.raises(DomainError, match="just been taken"):
        book_slot(surgery_date.slots[0], factories.user(), "general")
    availability = upcoming_availability(programme)
    assert availability[0].free_slots == []


def test_accepting_an_offer_books_the_slot_and_is_logged(full_date):
    programme, surgery_date, bookings = full_date
    waiting = factories.user()
    join_waitlist(surgery_date, waiting, theme="reflect")
    cancel_booking(bookings[0], bookings[0].user)
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    booking = accept_offer(offer, waiting)
    assert booking.slot_id == surgery_date.slots[0].id and booking.theme == "reflect"
    assert offer.status is OfferStatus.ACCEPTED and offer.entry.status is WaitlistStatus.BOOKED
    assert "surgery.offer.accept" in actions()


def test_an_offer_cannot_be_accepted_by_someone_else(full_date):
    programme, surgery_date, bookings = full_date
    waiting = factories.user()
    join_waitlist(surgery_date, waiting)
    cancel_booking(bookings[0], bookings[0].user)
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    with pytest.raises(DomainError, match="not for you"):
        accept_offer(offer, factories.user())


def test_an_unaccepted_offer_expires_and_passes_to_the_next_person(full_date, deliver, mailbox):
    programme, surgery_date, bookings = full_date
    first, second = factories.user(), factories.user()
    join_waitlist(surgery_date, first)
    join_waitlist(surgery_date, second)
    cancel_booking(bookings[0], bookings[0].user)
    db.session.commit()
    deliver()
    mailbox.clear()
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    assert expire_offers(now=offer.expires_at - timedelta(seconds=1)) == 0
    assert expire_offers(now=offer.expires_at) == 1
    db.session.expire_all()
    assert offer.status is OfferStatus.EXPIRED
    assert offer.entry.status is WaitlistStatus.EXPIRED
    with pytest.raises(DomainError, match="already been accepted, or has expired"):
        accept_offer(offer, first, now=offer.expires_at)
    second_offer = db.session.execute(select(SlotOffer).where(SlotOffer.status == OfferStatus.OPEN)).scalar_one()
    assert second_offer.entry.user_id == second.id
    assert [m.recipients for m in deliver()] == [[second.email]]
    assert "surgery.offer.expire" in actions()
    # Running the job again does nothing twice.
    assert expire_offers(now=offer.expires_at) == 0


def test_an_offer_never_runs_past_booking_close(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=2)
    get_settings(programme).booking_close_hours = 24
    slot = surgery_date.slots[0]
    # Cancelled 30 hours before the first slot: booking closes in 6 hours, before the 12-hour offer ends.
    start = slot.starts_at - timedelta(hours=30)
    bookings = [book_slot(s, factories.user(), "general", now=start)[0] for s in surgery_date.slots]
    join_waitlist(surgery_date, factories.user(), now=start)
    cancel_booking(bookings[0], bookings[0].user, now=start)
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    assert offer.expires_at == slot.starts_at - timedelta(hours=24)


def test_no_offer_once_booking_has_closed(app):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    slot = surgery_date.slots[0]
    early = slot.starts_at - timedelta(days=5)
    bookings = [book_slot(s, factories.user(), "general", now=early)[0] for s in surgery_date.slots]
    join_waitlist(surgery_date, factories.user(), now=early)
    cancel_booking(bookings[0], bookings[0].user, now=slot.starts_at - timedelta(hours=23))
    assert db.session.execute(select(SlotOffer)).scalar_one_or_none() is None


def test_offer_page_get_changes_nothing_and_post_books(full_date, client):
    from tests.conftest import sign_in

    programme, surgery_date, bookings = full_date
    waiting = factories.user()
    join_waitlist(surgery_date, waiting)
    cancel_booking(bookings[0], bookings[0].user)
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    db.session.commit()
    sign_in(client, waiting)
    page = client.get(f"/offers/{offer.id}")
    assert page.status_code == 200 and "Book this slot" in page.get_data(as_text=True)
    db.session.expire_all()
    assert offer.status is OfferStatus.OPEN
    response = client.post(f"/offers/{offer.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert offer.status is OfferStatus.ACCEPTED


def test_someone_elses_offer_page_is_not_found(full_date, client):
    from tests.conftest import sign_in

    programme, surgery_date, bookings = full_date
    join_waitlist(surgery_date, factories.user())
    cancel_booking(bookings[0], bookings[0].user)
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    other = factories.user()
    db.session.commit()
    sign_in(client, other)
    assert client.get(f"/offers/{offer.id}").status_code == 404
    assert client.post(f"/offers/{offer.id}").status_code == 404


def test_deleting_an_account_cancels_its_bookings_and_offers_the_slot_to_the_next_person(full_date, deliver, mailbox):
    programme, surgery_date, bookings = full_date
    leaver = bookings[0].user
    waiting = factories.user(email="next-in-line@example.org")
    join_waitlist(surgery_date, waiting)
    db.session.commit()
    deliver()
    mailbox.clear()
    delete_account(leaver, factories.PASSWORD)
    db.session.commit()
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    assert offer.slot_id == surgery_date.slots[0].id and offer.entry.user_id == waiting.id
    assert [m.recipients for m in deliver()] == [[leaver.email], ["next-in-line@example.org"]]


def test_declining_an_offer_passes_the_slot_to_the_next_person_at_once_and_is_logged(full_date, deliver, mailbox):
    programme, surgery_date, bookings = full_date
    first, second = factories.user(), factories.user()
    join_waitlist(surgery_date, first)
    join_waitlist(surgery_date, second)
    cancel_booking(bookings[0], bookings[0].user)
    db.session.commit()
    deliver()
    mailbox.clear()
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    assert offer.entry.user_id == first.id

    next_offer = decline_offer(offer, first)
    db.session.commit()

    assert offer.status is OfferStatus.DECLINED and offer.entry.status is WaitlistStatus.DECLINED
    assert next_offer.entry.user_id == second.id and next_offer.slot_id == offer.slot_id
    assert next_offer.status is OfferStatus.OPEN
    assert [m.recipients for m in deliver()] == [[second.email]]
    assert mailbox.messages[0].subject.startswith("A surgery slot is free for you")
    assert actions()[-2:] == ["surgery.offer.decline", "surgery.offer.make"]
    # Declining takes them off the date's list; the offer cannot be taken or declined again.
    assert user_waitlist(first) == []
    with pytest.raises(DomainError, match="already been accepted, or has expired"):
        accept_offer(offer, first)
    with pytest.raises(DomainError, match="already closed"):
        decline_offer(offer, first)


def test_declining_when_nobody_else_waits_frees_the_slot_for_anyone(full_date):
    programme, surgery_date, bookings = full_date
    waiting = factories.user()
    join_waitlist(surgery_date, waiting)
    cancel_booking(bookings[0], bookings[0].user)
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    assert upcoming_availability(programme)[0].free_slots == []
    assert decline_offer(offer, waiting) is None
    assert [s.id for s in upcoming_availability(programme)[0].free_slots] == [surgery_date.slots[0].id]


def test_only_the_person_offered_can_decline(full_date):
    programme, surgery_date, bookings = full_date
    join_waitlist(surgery_date, factories.user())
    cancel_booking(bookings[0], bookings[0].user)
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    with pytest.raises(DomainError, match="not for you"):
        decline_offer(offer, factories.user())
    assert offer.status is OfferStatus.OPEN


def test_joining_the_waiting_list_is_confirmed_by_email_with_the_programmes_offer_time(full_date, deliver, mailbox):
    programme, surgery_date, bookings = full_date
    db.session.commit()
    deliver()
    mailbox.clear()
    get_settings(programme).offer_hours = 6
    waiting = factories.user(email="waiting@example.org")
    join_waitlist(surgery_date, waiting)
    db.session.commit()
    message, = deliver()
    assert message.recipients == ["waiting@example.org"]
    assert message.subject == f"You are on the waiting list: {surgery_date.label}"
    assert "you will have 6 hours to take it, or until booking for that slot closes (24 hours before it starts)" \
        in " ".join(message.text.split())
    assert external_url("people.my_bookings") in message.text  # where to leave the list
    assert external_url("surgeries.programme_slots", slug=programme.slug) in message.text
    assert message.part("text/calendar") is None


def test_joining_a_waiting_list_twice_is_refused_with_a_clear_message(full_date, deliver, mailbox):
    programme, surgery_date, bookings = full_date
    waiting = factories.user()
    entry = join_waitlist(surgery_date, waiting)
    db.session.commit()
    with pytest.raises(AlreadyOnWaitlist,
                       match=f"You are already on the waiting list for {surgery_date.label}"):
        join_waitlist(surgery_date, waiting)
    db.session.rollback()
    assert [e.id for e in user_waitlist(waiting)] == [entry.id]
    assert [m.recipients for m in deliver() if "waiting list" in m.subject] == [[waiting.email]]
    # After leaving, they may join again.
    leave_waitlist(entry, waiting)
    assert join_waitlist(surgery_date, waiting).id != entry.id


def test_offer_terms_say_when_an_offer_made_now_would_end(full_date):
    programme, surgery_date, bookings = full_date
    first, last = surgery_date.slots[0], surgery_date.slots[-1]
    now = first.starts_at - timedelta(hours=40)
    terms = offer_terms(surgery_date, now)
    assert (terms.offer_hours, terms.booking_close_hours) == (12, 24)
    assert terms.earliest_end == terms.latest_end == now + timedelta(hours=12)
    # 30 hours before, booking for every slot closes within 12 hours: each offer ends at its slot's close.
    now = first.starts_at - timedelta(hours=30)
    terms = offer_terms(surgery_date, now)
    assert terms.earliest_end == first.starts_at - timedelta(hours=24)
    assert terms.latest_end == last.starts_at - timedelta(hours=24)
