"""Issue 11 items 1-3 in Chromium, with the keyboard and axe: one's own bookings on the slot list, the link of a
slot one has booked, the booking limit said before the form, and a cancelled booking's pages; wide and at 320 px."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.surgeries.models import SurgeryBooking
from tests import factories
from tests.browser.keyboard import choose_radio, press
from tests.browser.test_surgery_journeys import sign_in_with_keyboard

pytestmark = pytest.mark.browser

LIMIT = "You have 2 upcoming bookings, the most you can hold. Cancel one to book another."


def working_day(days_ahead: int) -> date:
    day = (utcnow() + timedelta(days=days_ahead)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def both_widths(page, check_page, name: str) -> None:
    check_page(page, name)
    page.set_viewport_size({"width": 320, "height": 800})
    check_page(page, f"{name}-320")
    page.set_viewport_size({"width": 1280, "height": 900})


def book_with_keyboard(page, times: str) -> None:
    page.goto("/surgeries/mtc")
    press(page, page.get_by_role("link", name=re.compile(f"^Book {times}")))
    choose_radio(page, page.get_by_label("General practice discussion"))
    press(page, page.get_by_role("button", name="Confirm booking"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Surgery booked")


def test_a_practitioners_own_bookings_limit_and_cancelled_booking(page, live_server, check_page, app):
    programme = factories.surgery_programme(slug="mtc", name="MTC Early Permanence practice surgeries")
    surgery_date = factories.surgery_date(programme, day=working_day(10), teams_url=factories.TEAMS_URL)
    practitioner = factories.user(email="kim@example.org", name="Kim Keyboard")
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_with_keyboard(page, check_page, practitioner)

    book_with_keyboard(page, "10:20am to 11:00am")
    # The booking link of the slot just booked (or Back to it) says so, with the way to the booking.
    page.goto(f"/surgeries/slots/{surgery_date.slots[1].id}/book")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have booked this slot")
    expect(page.get_by_text("just been taken")).to_have_count(0)
    both_widths(page, check_page, "booked-already")
    press(page, page.get_by_role("link", name="View your booking"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your surgery booking")

    page.goto("/surgeries/mtc")
    mine = page.locator("li", has_text="Booked by you")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("10:20am to 11:00am")
    both_widths(page, check_page, "slot-list-booked-by-you")

    # At the limit: said at the top of the slot list and instead of the booking form.
    book_with_keyboard(page, "9:30am to 10:10am")
    page.goto("/surgeries/mtc")
    banner = page.locator(".govuk-notification-banner", has_text=LIMIT)
    expect(banner).to_be_visible()
    expect(banner.get_by_role("link", name="Your bookings")).to_be_visible()
    both_widths(page, check_page, "slot-list-at-limit")
    press(page, page.get_by_role("link", name=re.compile("^Book 11:10am to 11:50am")))
    expect(page.get_by_text(LIMIT)).to_be_visible()
    expect(page.get_by_role("button", name="Confirm booking")).to_have_count(0)
    both_widths(page, check_page, "book-at-limit")

    # Cancel one: its page says who cancelled it and when, without the Teams link; move says it is cancelled.
    db.session.expire_all()
    booking = db.session.execute(select(SurgeryBooking).where(SurgeryBooking.slot_id == surgery_date.slots[1].id)
                                 ).scalar_one()
    page.goto(f"/bookings/{booking.id}/cancel")
    press(page, page.get_by_role("button", name="Cancel booking"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your bookings")
    page.goto(f"/bookings/{booking.id}")
    expect(page.get_by_text("This booking is cancelled.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"You cancelled it on .* \(UK time\)"))).to_be_visible()
    expect(page.get_by_role("link", name="Join the surgery on Microsoft Teams")).to_have_count(0)
    expect(page.get_by_role("link", name="Book another slot")).to_be_visible()
    both_widths(page, check_page, "cancelled-booking")
    page.goto(f"/bookings/{booking.id}/move")
    expect(page.get_by_role("heading", level=1)).to_have_text("This booking is cancelled")
    expect(page.get_by_role("button", name="Move booking")).to_have_count(0)
    both_widths(page, check_page, "cancelled-move")
    press(page, page.get_by_role("link", name="Back to your booking").last)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your surgery booking")
