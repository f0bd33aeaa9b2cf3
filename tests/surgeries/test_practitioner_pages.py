"""Issue 11 for practitioners: Back after booking, cancelled bookings, and the booking limit said up front."""

import re

import pytest
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.core.time import uk_datetime
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from ep_events.surgeries.booking_changes import cancel_booking
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.dates import facilitator_cancel_slot
from ep_events.surgeries.models import SurgeryBooking
from tests import factories
from tests.conftest import sign_in
from tests.factories import working_day


@pytest.fixture
def world(app):
    programme = factories.surgery_programme(slug="mtc")
    surgery_date = factories.surgery_date(programme, day=working_day(10), teams_url=factories.TEAMS_URL)
    practitioner = factories.user()
    facilitator = factories.user(roles=[(Role.FACILITATOR, programme)])
    db.session.commit()
    return dict(programme=programme, surgery_date=surgery_date, practitioner=practitioner, facilitator=facilitator)


def text_of(response) -> str:
    """The page as a person reads it: tags gone, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def outbox() -> int:
    return db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()


# --- 1. Back after booking -------------------------------------------------------------------------

def test_going_back_to_the_booking_link_of_a_slot_one_has_booked_says_so(client, world):
    sign_in(client, world["practitioner"])
    slot = world["surgery_date"].slots[0]
    booked = client.post(f"/surgeries/slots/{slot.id}/book", data={"theme": "general"})
    assert booked.status_code == 302
    booking = db.session.execute(select(SurgeryBooking)).scalar_one()
    back = client.get(f"/surgeries/slots/{slot.id}/book")
    page = text_of(back)
    assert back.status_code == 200
    assert "You have booked this slot" in page and "just been taken" not in page
    assert f'href="/bookings/{booking.id}"' in back.get_data(as_text=True) and "View your booking" in page
    assert 'name="theme"' not in back.get_data(as_text=True)


def test_someone_else_opening_a_taken_slots_link_is_told_it_has_been_taken(client, world):
    book_slot(world["surgery_date"].slots[0], factories.user(), "general")
    db.session.commit()
    sign_in(client, world["practitioner"])
    response = client.get(f"/surgeries/slots/{world['surgery_date'].slots[0].id}/book", follow_redirects=True)
    assert "Sorry, that slot has just been taken" in text_of(response)


def test_the_slot_list_marks_ones_own_bookings_and_hides_other_peoples(client, world):
    slots = world["surgery_date"].slots
    mine, _ = book_slot(slots[1], world["practitioner"], "general")
    book_slot(slots[2], factories.user(), "general")
    db.session.commit()
    sign_in(client, world["practitioner"])
    response = client.get("/surgeries/mtc")
    page = text_of(response)
    # In time order: the free 9:30am, then one's own 10:20am; the other person's 11:10am is not listed.
    assert "Book 9:30am to 10:10am" in page
    assert "Booked by you 10:20am to 11:00am View your booking" in page
    assert page.index("Book 9:30am") < page.index("Booked by you 10:20am")
    assert "11:10am to 11:50am" not in page
    assert f'href="/bookings/{mine.id}"' in response.get_data(as_text=True)
    assert "1 free slot (UK time)" in page


def test_a_date_whose_only_slot_left_is_ones_own_still_lists_it(client, world):
    slots = world["surgery_date"].slots
    book_slot(slots[0], world["practitioner"], "general")
    for slot in slots[1:]:
        book_slot(slot, factories.user(), "general")
    db.session.commit()
    sign_in(client, world["practitioner"])
    page = text_of(client.get("/surgeries/mtc"))
    assert "Your booking (UK time): Booked by you 9:30am to 10:10am View your booking" in page
    assert "Full Every slot on this date is taken" in page


def test_anonymous_visitors_and_other_people_see_no_booked_by_you(client, world):
    book_slot(world["surgery_date"].slots[0], world["practitioner"], "general")
    db.session.commit()
    assert "Booked by you" not in text_of(client.get("/surgeries/mtc"))
    sign_in(client, factories.user())
    assert "Booked by you" not in text_of(client.get("/surgeries/mtc"))


def test_the_signed_in_slot_list_adds_one_small_query_for_the_persons_bookings(app, client, world):
    from sqlalchemy import event

    sign_in(client, world["practitioner"])
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        client.get("/surgeries/mtc")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    bookings = [s for s in statements if "surgery_booking" in s and "place.user_id" in s]
    assert len(bookings) == 1


# --- 2. Cancelled bookings -------------------------------------------------------------------------

def test_a_booking_one_cancelled_says_so_without_the_teams_link(client, world):
    booking, _ = book_slot(world["surgery_date"].slots[0], world["practitioner"], "general")
    cancel_booking(booking, world["practitioner"], "Diary clash")
    db.session.commit()
    sign_in(client, world["practitioner"])
    response = client.get(f"/bookings/{booking.id}")
    page = text_of(response)
    assert "This booking is cancelled." in page
    assert f"You cancelled it on {uk_datetime(booking.cancelled_at)} (UK time)" in page
    assert factories.TEAMS_URL not in response.get_data(as_text=True) and "Join the surgery" not in page
    assert "Book another slot" in page and 'href="/surgeries/mtc"' in response.get_data(as_text=True)
    assert "Move to another slot" not in page


def test_a_booking_the_facilitators_cancelled_shows_their_message(client, world):
    booking, _ = book_slot(world["surgery_date"].slots[0], world["practitioner"], "general")
    facilitator_cancel_slot(world["facilitator"], world["surgery_date"].slots[0],
                            "Sorry, the facilitator is unwell.")
    db.session.commit()
    sign_in(client, world["practitioner"])
    response = client.get(f"/bookings/{booking.id}")
    page = text_of(response)
    assert "The facilitators cancelled it on" in page
    assert "Message from the facilitators: Sorry, the facilitator is unwell." in page
    assert factories.TEAMS_URL not in response.get_data(as_text=True)
    assert "Book another slot" in page


def test_a_confirmed_booking_still_shows_its_teams_link(client, world):
    booking, _ = book_slot(world["surgery_date"].slots[0], world["practitioner"], "general")
    db.session.commit()
    sign_in(client, world["practitioner"])
    response = client.get(f"/bookings/{booking.id}")
    assert factories.TEAMS_URL.replace("&", "&amp;") in response.get_data(as_text=True) or \
        factories.TEAMS_URL in response.get_data(as_text=True)
    assert "This booking is cancelled" not in text_of(response)


@pytest.mark.parametrize("page_name", ["move", "cancel"])
def test_a_cancelled_bookings_move_and_cancel_pages_say_so_with_no_form(client, world, page_name):
    slots = world["surgery_date"].slots
    booking, _ = book_slot(slots[0], world["practitioner"], "general")
    cancel_booking(booking, world["practitioner"])
    db.session.commit()
    sign_in(client, world["practitioner"])
    before = outbox()
    shown = client.get(f"/bookings/{booking.id}/{page_name}")
    page = text_of(shown)
    assert shown.status_code == 200
    assert "This booking is cancelled" in page and "cancelled by you on" in page
    assert "<form" not in shown.get_data(as_text=True).split("<main", 1)[1]
    assert f'href="/bookings/{booking.id}"' in shown.get_data(as_text=True) and "Book another slot" in page
    sent = client.post(f"/bookings/{booking.id}/{page_name}", data={"slot": str(slots[1].id), "reason": "x"})
    assert sent.status_code == 409 and "This booking is cancelled" in text_of(sent)
    assert "already cancelled" not in text_of(sent)
    assert outbox() == before
    db.session.expire_all()
    assert db.session.get(SurgeryBooking, booking.id).slot_id == slots[0].id


# --- 3. The booking limit, said before the form ------------------------------------------------------

@pytest.fixture
def at_limit(world):
    slots = world["surgery_date"].slots
    for slot in slots[:2]:
        book_slot(slot, world["practitioner"], "general")
    db.session.commit()
    return world


LIMIT = "You have 2 upcoming bookings, the most you can hold. Cancel one to book another."


def test_the_slot_list_says_at_the_top_when_one_is_at_the_limit(client, at_limit):
    sign_in(client, at_limit["practitioner"])
    response = client.get("/surgeries/mtc")
    page = text_of(response)
    assert LIMIT in page
    assert page.index(LIMIT) < page.index(at_limit["programme"].name + " " + at_limit["programme"].description)
    banner = response.get_data(as_text=True).split('id="booking-limit"', 1)[1].split("</div>", 3)
    assert 'href="/bookings"' in "".join(banner)


def test_below_the_limit_the_slot_list_says_nothing_of_it(client, world):
    book_slot(world["surgery_date"].slots[0], world["practitioner"], "general")
    db.session.commit()
    sign_in(client, world["practitioner"])
    assert "the most you can hold" not in text_of(client.get("/surgeries/mtc"))


def test_the_booking_form_says_so_before_anything_is_typed(client, at_limit):
    sign_in(client, at_limit["practitioner"])
    response = client.get(f"/surgeries/slots/{at_limit['surgery_date'].slots[2].id}/book")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert LIMIT in text_of(response) and 'href="/bookings"' in body
    assert 'name="theme"' not in body and "Confirm booking" not in body


def test_submitting_the_form_at_the_limit_says_the_same_and_books_nothing(client, at_limit):
    sign_in(client, at_limit["practitioner"])
    before = outbox()
    response = client.post(f"/surgeries/slots/{at_limit['surgery_date'].slots[2].id}/book",
                           data={"theme": "general"})
    assert response.status_code == 409 and LIMIT in text_of(response)
    assert db.session.execute(select(func.count(SurgeryBooking.id))).scalar_one() == 2
    assert outbox() == before
