"""Surgery journeys in Chromium, keyboard only, with axe on every page visited."""

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from ep_events.accounts.models import Role
from ep_events.core.audit import record_audit
from ep_events.core.time import utcnow
from ep_events.core.working_days import next_working_day
from ep_events.extensions import db
from ep_events.notifications.outbox import deliver_all
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import SurgeryBooking, SurgeryDate
from tests import factories
from tests.browser.keyboard import choose_radio, press, type_into

pytestmark = pytest.mark.browser


def sign_in_with_keyboard(page, check_page, user):
    page.goto("/sign-in")
    check_page(page, "sign-in")
    type_into(page, "#email", user.email)
    type_into(page, "#password", factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Signed in as {user.name}.", exact=True)).to_be_visible()


def calendar_in(message):
    calendar = Calendar.from_ical(message.part("text/calendar"))
    return calendar, next(iter(calendar.walk("VEVENT")))


def test_practitioner_books_moves_and_cancels_a_surgery_with_the_keyboard(page, live_server, check_page, mailbox, app):
    programme = factories.surgery_programme(slug="mtc", name="MTC Early Permanence practice surgeries")
    surgery_date = factories.surgery_date(programme, days_ahead=12, teams_url=factories.TEAMS_URL)
    practitioner = factories.user(email="keyboard@example.org", name="Kim Keyboard")
    db.session.commit()

    sign_in_with_keyboard(page, check_page, practitioner)
    page.goto("/surgeries/mtc")
    expect(page.get_by_role("heading", level=1)).to_have_text("MTC Early Permanence practice surgeries")
    check_page(page, "slot-picker")

    press(page, page.get_by_role("link", name=re.compile(r"^Book 10:20am to 11:00am")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a surgery slot")
    check_page(page, "book")

    # Submit with no theme: the error summary, reachable and accessible.
    press(page, page.get_by_role("button", name="Confirm booking"))
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_page(page, "book-errors")

    choose_radio(page, page.get_by_label("Have you experienced difficulties with legal backing"))
    type_into(page, page.get_by_label("Outline (optional)"), "A question about care planning and legal advice")
    press(page, page.get_by_role("button", name="Confirm booking"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Surgery booked")
    check_page(page, "confirmed")

    db.session.expire_all()
    booking = db.session.execute(select(SurgeryBooking)).scalar_one()
    deliver_all("journey")
    confirmation = mailbox.to("keyboard@example.org")[-1]
    assert confirmation.subject.startswith("Surgery booked:")
    calendar, event = calendar_in(confirmation)
    assert str(calendar["METHOD"]) == "REQUEST" and str(event["UID"]) == booking.uid
    assert event.decoded("DTSTART") == surgery_date.slots[1].starts_at
    # The confirmation page's download is the same calendar entry as the emailed invite.
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    download = page.request.get(page.get_by_role("link", name=re.compile("Download the calendar invite"))
                                .get_attribute("href"))
    assert download.ok and download.headers["content-type"].startswith("text/calendar")
    downloaded = next(iter(Calendar.from_ical(download.text()).walk("VEVENT")))
    assert str(downloaded["UID"]) == str(event["UID"]) and int(downloaded["SEQUENCE"]) == int(event["SEQUENCE"])

    page.goto("/bookings")
    check_page(page, "my-bookings")
    press(page, page.get_by_role("link", name=re.compile("10:20am to 11:00am")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your surgery booking")
    check_page(page, "booking")
    press(page, page.get_by_role("button", name="Move to another slot"))
    check_page(page, "move")
    choose_radio(page, page.get_by_label(re.compile("11:10am to 11:50am")))
    press(page, page.get_by_role("button", name="Move booking"))
    expect(page.get_by_text("Your booking has moved to")).to_be_visible()
    check_page(page, "moved")

    deliver_all("journey")
    update = mailbox.to("keyboard@example.org")[-1]
    assert update.subject.startswith("Surgery updated:")
    _, event = calendar_in(update)
    assert str(event["UID"]) == booking.uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == surgery_date.slots[2].starts_at

    press(page, page.get_by_role("button", name="Cancel booking"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your booking")
    check_page(page, "cancel")
    press(page, page.get_by_role("button", name="Cancel booking"))
    expect(page.get_by_text("Your booking is cancelled")).to_be_visible()
    check_page(page, "cancelled")

    deliver_all("journey")
    cancellation = mailbox.to("keyboard@example.org")[-1]
    assert cancellation.subject.startswith("Surgery cancelled:")
    calendar, event = calendar_in(cancellation)
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["UID"]) == booking.uid
    assert int(event["SEQUENCE"]) == 2


def test_facilitator_creates_publishes_sets_teams_link_and_cancels_a_booked_slot(
        page, live_server, check_page, mailbox, app):
    programme = factories.surgery_programme(slug="mtc", name="MTC Early Permanence practice surgeries")
    facilitator = factories.user(email="fac@example.org", name="Fay Facilitator",
                                 roles=[(Role.FACILITATOR, programme)])
    booker = factories.user(email="booker@example.org", name="Bo Booker")
    db.session.commit()

    sign_in_with_keyboard(page, check_page, facilitator)
    # The menu leads a facilitator to their programmes and tools.
    press(page, page.get_by_role("link", name="Manage", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage your programmes")
    check_page(page, "manage-hub")
    press(page, page.get_by_role("link", name="Surgery dates and bookings (MTC Early Permanence practice surgeries)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage surgery dates")
    expect(page.get_by_role("link", name="Upcoming (0)")).to_have_attribute("aria-current", "page")
    check_page(page, "manage")
    press(page, page.get_by_role("button", name="Create a surgery date"))
    check_page(page, "new-date")
    # The custom window's times appear only once "Custom window" is chosen.
    expect(page.get_by_label("Start time (UK time)")).to_be_hidden()
    choose_radio(page, page.get_by_label("Custom window"))
    expect(page.get_by_label("Start time (UK time)")).to_be_visible()
    check_page(page, "new-date-custom")
    day = next_working_day((utcnow() + timedelta(days=21)).date())
    type_into(page, "#day-day", str(day.day))
    type_into(page, "#day-month", str(day.month))
    type_into(page, "#day-year", str(day.year))
    choose_radio(page, page.locator("#session-2"))
    expect(page.locator("#session-2")).to_be_checked()
    expect(page.get_by_label("Start time (UK time)")).to_be_hidden()
    press(page, page.get_by_role("button", name="Generate slots"))
    expect(page.get_by_text("This date is a draft")).to_be_visible()
    check_page(page, "draft-date")

    press(page, page.get_by_role("button", name="Publish this date"))
    expect(page.get_by_text("The date is published")).to_be_visible()
    check_page(page, "published")

    type_into(page, page.get_by_label("Microsoft Teams joining link"), factories.TEAMS_URL)
    press(page, page.get_by_role("button", name="Save joining link"))
    expect(page.get_by_text("Joining link saved")).to_be_visible()

    db.session.expire_all()
    surgery_date = db.session.execute(select(SurgeryDate)).scalar_one()
    assert surgery_date.teams_url == factories.TEAMS_URL
    book_slot(surgery_date.slots[0], booker, "general")
    db.session.commit()
    deliver_all("journey")

    page.reload()
    expect(page.get_by_text("Bo Booker")).to_be_visible()
    check_page(page, "with-booking")
    press(page, page.get_by_role("link", name="Cancel slot 1:30pm"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel slot")
    check_page(page, "cancel-slot")
    type_into(page, page.get_by_label("Message to the people booked"), "Sorry, the facilitator is unwell.")
    press(page, page.get_by_role("button", name="Cancel and tell people"))
    expect(page.get_by_text("The person booked has been told")).to_be_visible()
    check_page(page, "slot-cancelled")

    deliver_all("journey")
    told = mailbox.to("booker@example.org")[-1]
    assert told.subject.startswith("Surgery cancelled:")
    assert "Sorry, the facilitator is unwell." in told.text
    calendar, event = calendar_in(told)
    assert str(calendar["METHOD"]) == "CANCEL"


def test_admin_reads_the_audit_log_in_words_and_it_fits_the_page(page, live_server, check_page, app):
    admin = factories.admin(email="audit-admin@example.org", name="Ada Admin")
    programme = factories.surgery_programme(slug="mtc", name="MTC Early Permanence practice surgeries")
    long_url = ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + "N2Y4ZTk" * 30
                + "%40thread.v2/0?context=%7b%22Tid%22%3a%22d2f3%22%2c%22Oid%22%3a%22a1b2%22%7d")
    record_audit(admin, "surgery.date.publish", programme, "Published Tuesday 16 June 2026 – AM",
                 after={"teams_url": long_url, "teams_problem": None})
    db.session.commit()
    sign_in_with_keyboard(page, check_page, admin)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/admin/audit")
        expect(page.get_by_role("cell", name="Published a surgery date")).to_be_visible()
        expect(page.get_by_text("Teams problem: none")).to_be_visible()
        if width == 1280:
            # The table stays inside the layout: the long Teams address wraps in its cell.
            overflow = page.evaluate("""() => {
                const main = document.querySelector('main').getBoundingClientRect();
                const table = document.querySelector('.app-audit-table').getBoundingClientRect();
                return Math.round(table.right - main.right);
            }""")
            assert overflow <= 0, f"the audit table runs {overflow}px past the layout"
        check_page(page, f"audit-{width}")
