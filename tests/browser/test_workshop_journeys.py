"""Workshop journeys in Chromium, keyboard only, with axe on every page visited.

Journey 2 of issue 14: a practitioner finds a workshop, registers, gets the invite at the loopback SMTP server;
then, for a workshop they attended (the live server runs on the real clock, so it is set in the past), downloads
the slides and leaves feedback.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import current_app
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from ep_events.accounts.models import Role
from ep_events.core.time import UK, utcnow
from ep_events.extensions import db
from ep_events.notifications.outbox import deliver_all
from ep_events.workshops.models import WorkshopFeedback, WorkshopRegistration
from ep_events.workshops.registrations import register
from ep_events.workshops.resources import add_file_resource
from ep_events.workshops.workshops import create_workshop, publish_workshop
from tests import factories
from tests.browser.keyboard import choose_radio, press, type_into
from tests.browser.test_surgery_journeys import sign_in_with_keyboard
from tests.workshops.conftest import details

pytestmark = pytest.mark.browser

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _workshops_world():
    """A published P&SD programme with a workshop three weeks ahead and one that ended two days ago, which the
    practitioner attended (registered for then) and whose slides the organiser has shared."""
    now = utcnow()
    programme = factories.programme(kind="workshops", slug="pds-workshops", name="Adoption England P&SD workshops",
                                    contact_email="ep-workshops@example.org")
    organiser = factories.user(email="organiser@example.org", name="Olu Organiser",
                               roles=[(Role.ORGANISER, programme)])
    practitioner = factories.user(email="keyboard@example.org", name="Kim Keyboard")
    upcoming = create_workshop(organiser, programme, details(day=(now.astimezone(UK) + timedelta(days=21)).date(),
                                                             capacity=10), now=now)
    publish_workshop(organiser, upcoming, now=now)
    then = now - timedelta(days=40)
    past = create_workshop(organiser, programme, details(
        title="Hope boxes", topic="Hope boxes", day=(now.astimezone(UK) - timedelta(days=2)).date()), now=then)
    publish_workshop(organiser, past, now=then)
    attended = register(past, practitioner, now=then)
    db.session.commit()
    return SimpleNamespace(programme=programme, organiser=organiser, practitioner=practitioner, upcoming=upcoming,
                           past=past, attended=attended)


def test_practitioner_finds_a_workshop_registers_then_gets_the_slides_and_gives_feedback(
        page, live_server, check_page, mailbox, app, tmp_path):
    app.config["WORKSHOP_UPLOAD_DIR"] = str(tmp_path / "uploads")
    w = _workshops_world()
    if "workshop_after.resources" not in current_app.view_functions:
        pytest.fail("the after-workshop pages (workshop_after blueprint) are not registered")
    add_file_resource(w.organiser, w.past, "Slides: Hope boxes", "hope-boxes.pdf", PDF_BYTES)
    db.session.commit()
    mailbox.clear()

    # Finds the workshop from the home page and registers with one button.
    sign_in_with_keyboard(page, check_page, w.practitioner)
    page.goto("/")
    press(page, page.get_by_role("link", name=re.compile(r"^See the workshops and register")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Adoption England P&SD workshops")
    expect(page.get_by_text("10 of 10")).to_be_visible()
    check_page(page, "workshops")
    press(page, page.get_by_role("link", name="Managing family time in EP"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Managing family time in EP")
    expect(page.get_by_text("S3, S5")).to_be_visible()
    check_page(page, "workshop")
    press(page, page.get_by_role("button", name="Register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your workshop place")
    expect(page.get_by_text("You are registered.", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Join the workshop on Microsoft Teams")).to_be_visible()
    check_page(page, "registration")

    # The invite arrives at the loopback SMTP server: a REQUEST with the registration's UID.
    registration = db.session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.event_id == w.upcoming.id)).scalar_one()
    deliver_all("journey")
    confirmation = mailbox.to("keyboard@example.org")[-1]
    assert confirmation.subject.startswith("You are registered: Managing family time in EP")
    assert "https://teams.microsoft.com/" in confirmation.text
    calendar = Calendar.from_ical(confirmation.part("text/calendar"))
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST" and str(event["UID"]) == registration.uid
    assert event.decoded("DTSTART") == w.upcoming.starts_at

    # After the workshop they attended: the slides, then feedback.
    page.goto("/bookings")
    check_page(page, "my-bookings")
    press(page, page.get_by_role("link", name=re.compile(re.escape(
        f"{w.past.starts_at.astimezone(UK).day} {w.past.starts_at.astimezone(UK):%B %Y}"))).first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your workshop place")
    check_page(page, "past-registration")
    press(page, page.get_by_role("link", name="Slides, handouts and links"))
    check_page(page, "resources")
    slides = page.get_by_role("link", name="Slides: Hope boxes")
    download = page.request.get(slides.get_attribute("href"))
    assert download.ok and download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    assert download.body() == PDF_BYTES
    press(page, page.get_by_role("link", name="Give feedback on the workshop"))
    check_page(page, "feedback")
    choose_radio(page, page.locator('input[name="usefulness"][value="4"]'))
    choose_radio(page, page.locator('input[name="relevance"][value="5"]'))
    type_into(page, page.locator("#do_differently"), "Make a hope box with the next carers I assess.")
    press(page, page.get_by_role("button", name="Send feedback"))
    expect(page.get_by_text("Thank you: your feedback is saved", exact=False)).to_be_visible()
    check_page(page, "feedback-saved")
    db.session.expire_all()
    feedback = db.session.execute(select(WorkshopFeedback)).scalar_one()
    assert (feedback.user_id, feedback.usefulness, feedback.relevance) == (w.practitioner.id, 4, 5)
    assert feedback.do_differently == "Make a hope box with the next carers I assess."
