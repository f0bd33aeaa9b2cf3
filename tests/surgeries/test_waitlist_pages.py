"""Waiting list pages: the real offer time, joining once, leaving from the slot list, "No thanks" on an offer."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from ep_events.extensions import db
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import OfferStatus, SlotOffer, SurgeryWaitlistEntry, WaitlistStatus
from ep_events.surgeries.settings import get_settings
from ep_events.surgeries.waitlist import join_waitlist
from tests import factories
from tests.conftest import sign_in

# British Summer Time: UK time is an hour ahead of UTC, so a page showing UTC would be caught.
NOW = datetime(2027, 6, 15, 8, 0, tzinfo=UTC)


@pytest.fixture
def full_date(app):
    with freeze_time(NOW):
        programme = factories.surgery_programme(slug="mtc")
        surgery_date = factories.surgery_date(programme, days_ahead=10)
        bookings = [book_slot(slot, factories.user(), "general")[0] for slot in surgery_date.slots]
        db.session.commit()
        yield programme, surgery_date, bookings


def entries(user):
    query = select(SurgeryWaitlistEntry).where(SurgeryWaitlistEntry.user_id == user.id)
    return list(db.session.execute(query).scalars())


def test_waiting_list_page_says_the_programmes_offer_time_and_when_an_offer_would_end_in_uk_time(client, full_date):
    programme, surgery_date, _ = full_date
    get_settings(programme).offer_hours = 6
    db.session.commit()
    sign_in(client, factories.user())
    db.session.commit()
    page = client.get(f"/surgeries/dates/{surgery_date.id}/waitlist")
    body = " ".join(page.get_data(as_text=True).split())
    assert page.status_code == 200
    assert "They have 6 hours to take it, or until booking for that slot closes (24 hours before it starts)" in body
    # 08:00 UTC + 6 hours = 2pm UTC = 3pm in London in June.
    assert "the offer would be open until Tuesday 15 June 2027, 3:00pm (UK time)" in body
    assert "a limited time" not in body


def test_joining_posts_once_and_joining_again_says_you_are_already_on_it(client, full_date, deliver, mailbox):
    programme, surgery_date, _ = full_date
    person = factories.user()
    db.session.commit()
    deliver()
    mailbox.clear()
    sign_in(client, person)
    url = f"/surgeries/dates/{surgery_date.id}/waitlist"
    first = client.post(url, data={"theme": "reflect"}, follow_redirects=True)
    assert first.status_code == 200
    assert f"You are on the waiting list for {surgery_date.label}. We have emailed you to confirm" \
        in first.get_data(as_text=True)
    again = client.post(url, data={"theme": "reflect"})
    assert again.status_code == 302 and again.headers["Location"] == "/surgeries/mtc"
    body = client.get("/surgeries/mtc").get_data(as_text=True)
    assert f"You are already on the waiting list for {surgery_date.label}." in body
    assert "We have emailed you to confirm" not in body
    # Coming back to the form says the same rather than offering to join again.
    form_again = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert f"You are already on the waiting list for {surgery_date.label}." in form_again
    assert [e.status for e in entries(person)] == [WaitlistStatus.WAITING]
    assert [m.subject for m in deliver()] == [f"You are on the waiting list: {surgery_date.label}"]


def test_slot_list_offers_leave_the_waiting_list_where_it_says_you_are_on_it(client, full_date):
    programme, surgery_date, _ = full_date
    person = factories.user()
    entry = join_waitlist(surgery_date, person)
    db.session.commit()
    sign_in(client, person)
    body = client.get("/surgeries/mtc").get_data(as_text=True)
    assert "You are on the waiting list for this date." in body
    assert f'action="/waitlist/{entry.id}/leave"' in body
    assert f"Leave the waiting list<span class=\"govuk-visually-hidden\"> for {surgery_date.label}</span>" in body
    response = client.post(f"/waitlist/{entry.id}/leave", data={"return_to": "dates"})
    assert response.status_code == 302 and response.headers["Location"] == "/surgeries/mtc"
    body = client.get("/surgeries/mtc").get_data(as_text=True)
    assert f"You have left the waiting list for {surgery_date.label}." in body
    assert "You are on the waiting list for this date." not in body
    assert "Join the waiting list" in body
    db.session.expire_all()
    assert entry.status is WaitlistStatus.LEFT


def test_someone_else_cannot_take_you_off_a_waiting_list(client, full_date):
    programme, surgery_date, _ = full_date
    entry = join_waitlist(surgery_date, factories.user())
    other = factories.user()
    db.session.commit()
    sign_in(client, other)
    assert client.post(f"/waitlist/{entry.id}/leave", data={"return_to": "dates"}).status_code == 404
    db.session.expire_all()
    assert entry.status is WaitlistStatus.WAITING


@pytest.fixture
def offered(full_date):
    programme, surgery_date, bookings = full_date
    first, second = factories.user(), factories.user(email="second@example.org")
    join_waitlist(surgery_date, first)
    join_waitlist(surgery_date, second)
    cancel_booking(bookings[0], bookings[0].user)
    db.session.commit()
    offer = db.session.execute(select(SlotOffer)).scalar_one()
    return offer, first, second


def test_offer_page_has_no_thanks_which_passes_the_slot_to_the_next_person_at_once(client, offered, deliver, mailbox):
    offer, first, second = offered
    deliver()
    mailbox.clear()
    sign_in(client, first)
    page = client.get(f"/offers/{offer.id}").get_data(as_text=True)
    assert "This offer is open until Tuesday 15 June 2027, 9:00pm (UK time)." in page  # 12 hours, BST
    assert "Book this slot" in page
    assert f'formaction="/offers/{offer.id}/decline"' in page and ">No thanks<" in page
    response = client.post(f"/offers/{offer.id}/decline")
    assert response.status_code == 302 and response.headers["Location"] == "/bookings"
    body = client.get("/bookings").get_data(as_text=True)
    assert "You said no thanks, so the slot goes to the next person waiting." in body
    db.session.expire_all()
    assert offer.status is OfferStatus.DECLINED
    next_offer = db.session.execute(select(SlotOffer).where(SlotOffer.status == OfferStatus.OPEN)).scalar_one()
    assert next_offer.entry.user_id == second.id
    assert [m.recipients for m in deliver()] == [["second@example.org"]]
    closed = client.get(f"/offers/{offer.id}").get_data(as_text=True)
    assert "You said no thanks to this slot" in closed and "No thanks<" not in closed


def test_someone_elses_offer_cannot_be_declined(client, offered):
    offer, first, second = offered
    sign_in(client, second)
    assert client.post(f"/offers/{offer.id}/decline").status_code == 404
    db.session.expire_all()
    assert offer.status is OfferStatus.OPEN


def test_my_bookings_shows_the_place_offered_and_leads_to_the_offer(app, client, offered):
    offer, first, second = offered
    sign_in(client, first)
    body = client.get("/bookings").get_data(as_text=True)
    assert "A place is free for you: Practice surgery" in body
    assert "It is held for you until Tuesday 15 June 2027, 9:00pm (UK time)" in body
    link = f'href="/waitlist/{offer.entry_id}"'
    assert link in body and "(a place is offered to you)" in body
    response = client.get(f"/waitlist/{offer.entry_id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/offers/{offer.id}"
    # The person still waiting sees their entry, with no banner; nobody else can open someone's entry.
    other = app.test_client()
    sign_in(other, second)
    waiting = other.get("/bookings").get_data(as_text=True)
    assert "A place is free for you" not in waiting and "Leave<span" in waiting
    assert other.get(f"/waitlist/{offer.entry_id}").status_code == 404
