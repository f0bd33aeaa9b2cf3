"""Workshop journeys in Chromium, keyboard only, with axe on every page visited.

Journey 2 of issue 14: a practitioner finds a workshop, registers, gets the invite at the loopback SMTP server;
then, for a workshop they attended (the live server runs on the real clock, so it is set in the past), downloads
the slides and leaves feedback.

Journey 3: the organiser creates a workshop through the form, publishes it, announces it to the invitation list
(preview, send, the progress page moving as the batch job and the outbox run), then imports a Teams attendance
report for a workshop that has ended and sees who was matched, who was not, and the attendance stored.
"""

import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import current_app
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from ep_events.accounts.models import Role
from ep_events.bookings.models import Attendance, EventStatus, PlaceStatus
from ep_events.core.time import UK, utcnow
from ep_events.extensions import db
from ep_events.invitations.models import InvitationListEntry, ListEntryStatus
from ep_events.notifications.mailings import queue_next_batch
from ep_events.notifications.outbox import deliver_all
from ep_events.workshops.models import Workshop, WorkshopFeedback, WorkshopRegistration
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
    expect(page.get_by_text("S3: Preparing and enabling early permanence carers to undertake the caring duties "
                            "involved in early permanence; S5: The engagement of family members important to the "
                            "child")).to_be_visible()
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


# --- Journey 3: the organiser creates a workshop, announces it, watches progress, imports attendance ---------

SUBSCRIBERS = ("ada.subscriber@example.org", "ben.subscriber@example.org", "cy.subscriber@example.org")
TEAMS_REPORT = Path(__file__).parent.parent / "workshops" / "fixtures" / "teams_attendance_report.csv"


def _organiser_world():
    """A published P&SD programme and its organiser; three confirmed subscribers (one pending, who gets nothing);
    and a workshop that ended two days ago (made forty days before), 10:00 to 11:30, with three people registered
    whose addresses are those of the Teams report in tests/workshops/fixtures (Alice's in other letter case)."""
    now = utcnow()
    programme = factories.programme(kind="workshops", slug="pds-workshops", name="Adoption England P&SD workshops",
                                    contact_email="ep-workshops@example.org")
    organiser = factories.user(email="organiser@example.org", name="Olu Organiser",
                               roles=[(Role.ORGANISER, programme)])
    for n, email in enumerate(SUBSCRIBERS + ("dee.pending@example.org",)):
        confirmed = n < len(SUBSCRIBERS)
        db.session.add(InvitationListEntry(
            programme_id=programme.id, email=email, name=email.split(".")[0].title(),
            status=ListEntryStatus.CONFIRMED if confirmed else ListEntryStatus.PENDING, consent_at=now,
            confirmed_at=now if confirmed else None, consent_wording_version="2027-01"))
    then = now - timedelta(days=40)
    past = create_workshop(organiser, programme, details(
        title="Managing family time in EP", capacity=10,
        day=(now.astimezone(UK) - timedelta(days=2)).date()), now=then)
    publish_workshop(organiser, past, now=then)
    for email, name in (("Alice.Adams@example.org", "Alice Adams"), ("bola@example.org", "Bola Bello"),
                        ("chen@example.org", "Chen Cho")):
        db.session.add(WorkshopRegistration(event=past, user=factories.user(email=email, name=name),
                                            starts_at=past.starts_at, ends_at=past.ends_at,
                                            status=PlaceStatus.CONFIRMED))
    db.session.commit()
    return SimpleNamespace(programme=programme, organiser=organiser, past=past)


def _progress(page) -> dict:
    """The progress page's figures, by their row labels."""
    rows = page.locator(".govuk-summary-list__row")
    return {rows.nth(i).locator("dt").inner_text().strip(): rows.nth(i).locator("dd").inner_text().strip()
            for i in range(rows.count())}


def test_organiser_creates_announces_and_imports_attendance(page, live_server, check_page, mailbox, app):
    app.config["MAILING_BATCH_PER_MINUTE"] = 2  # so the three go in two batches and the progress moves
    w = _organiser_world()
    mailbox.clear()
    day = (utcnow().astimezone(UK) + timedelta(days=28)).date()  # four weeks ahead whatever the hour

    # Signs in, goes to Manage, creates a workshop through the form.
    sign_in_with_keyboard(page, check_page, w.organiser)
    press(page, page.get_by_role("link", name="Manage", exact=True))
    check_page(page, "manage")
    press(page, page.get_by_role("link", name="Create a workshop").first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a workshop")
    check_page(page, "new-workshop")
    type_into(page, page.get_by_label("Title"), "Hope boxes")
    type_into(page, page.get_by_label("Description (optional)"), "Making hope boxes with children in EP.")
    type_into(page, page.locator("#day-day"), str(day.day))
    type_into(page, page.locator("#day-month"), str(day.month))
    type_into(page, page.locator("#day-year"), str(day.year))
    type_into(page, page.get_by_label("Start time (UK time)"), "10am")
    type_into(page, page.get_by_label("End time (UK time)"), "11:30am")
    type_into(page, page.get_by_label("Microsoft Teams joining link (optional)"), factories.TEAMS_URL)
    type_into(page, page.get_by_label("Number of places"), "20")
    type_into(page, page.get_by_label("Topic (optional)"), "Life story work")
    press(page, page.get_by_role("checkbox", name=re.compile(r"S3: Preparing and enabling")), "Space")
    type_into(page, page.get_by_label("Sub-standards it addresses (optional)"), "3.4, 3.5")
    press(page, page.get_by_role("button", name="Save workshop"))
    expect(page.get_by_text("The workshop is saved as a draft", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hope boxes")
    check_page(page, "workshop-draft")

    # Publishes it.
    press(page, page.get_by_role("button", name="Publish this workshop"))
    expect(page.get_by_text("The workshop is published: it shows", exact=False)).to_be_visible()
    check_page(page, "workshop-published")
    workshop = db.session.execute(select(Workshop).where(Workshop.title == "Hope boxes")).scalar_one()
    assert workshop.status is EventStatus.PUBLISHED
    assert workshop.starts_at.astimezone(UK).date() == day and workshop.practice_standards == ["S3", "3.4", "3.5"]

    # Announces it: details prefilled, preview, send to the three confirmed subscribers.
    press(page, page.get_by_role("link", name="Announce it to the invitation list for Hope boxes"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Announce a workshop")
    expect(page.get_by_label("Subject")).to_have_value("Adoption England P&SD workshops: Hope boxes")
    check_page(page, "announce")
    press(page, page.get_by_role("button", name="Preview"))
    expect(page.get_by_role("heading", name="HTML version")).to_be_visible()
    check_page(page, "announce-preview")
    press(page, page.get_by_role("button", name="Send to 3 subscribers"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Announcement progress")
    press(page, page.get_by_role("link", name="Stop refreshing"))  # axe flags the meta refresh; the link stops it
    expect(page.get_by_text("Sending", exact=True)).to_be_visible()
    assert _progress(page) == {"Recipients": "3", "Queued": "0 of 3", "Sent": "0", "Failed": "0",
                               "Waiting to be sent": "3"}
    check_page(page, "progress-waiting")

    # The batch job queues two (the minute's budget) and the outbox delivers them.
    result = app.test_cli_runner().invoke(args=["send-mailings"])
    assert "mailing recipients queued: 2" in result.output, result.output
    deliver_all("journey")
    press(page, page.get_by_role("link", name="Refresh the figures"))
    expect(page.get_by_text("Sending", exact=True)).to_be_visible()
    assert _progress(page) == {"Recipients": "3", "Queued": "2 of 3", "Sent": "2", "Failed": "0",
                               "Waiting to be sent": "1"}
    check_page(page, "progress-two-sent")

    # The next minute's batch queues the last one.
    assert queue_next_batch(now=utcnow() + timedelta(minutes=2)) == 1
    deliver_all("journey")
    press(page, page.get_by_role("link", name="Refresh the figures"))
    expect(page.get_by_text("Finished", exact=True)).to_be_visible()
    assert _progress(page) == {"Recipients": "3", "Queued": "3 of 3", "Sent": "3", "Failed": "0",
                               "Waiting to be sent": "0"}
    expect(page.get_by_role("link", name="Refresh the figures")).to_have_count(0)
    check_page(page, "progress-finished")
    received = sorted(address for message in mailbox.messages for address in message.recipients)
    assert received == sorted(SUBSCRIBERS)
    for message in mailbox.messages:
        assert message.subject == "Adoption England P&SD workshops: Hope boxes"
        assert "Making hope boxes with children in EP." in message.text
        assert message.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # After the workshop that ended two days ago: imports the Teams attendance report.
    press(page, page.get_by_role("link", name="Manage", exact=True))
    press(page, page.get_by_role("link", name="Manage workshops"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage workshops")
    check_page(page, "manage-workshops")
    press(page, page.get_by_role("link", name="Managing family time in EP"))
    expect(page.get_by_text("This workshop has ended", exact=False)).to_be_visible()
    check_page(page, "past-workshop")
    press(page, page.get_by_role("link", name="Attendance for Managing family time in EP"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance: Managing family time in EP")
    check_page(page, "attendance")
    page.get_by_label("Teams attendance report").set_input_files(str(TEAMS_REPORT))
    press(page, page.get_by_role("button", name="Import attendance"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance imported: Managing family time in EP")
    expect(page.get_by_text("2 people in the report were matched to a registration: 1 attended "
                            "(45 minutes or more of 90).", exact=False)).to_be_visible()
    matched = page.get_by_role("table", name="Matched to a registration")
    expect(matched.get_by_role("row")).to_have_text([
        re.compile(r"Name\s*Email\s*Minutes\s*Marked"),
        re.compile(r"Alice Adams\s*Alice\.Adams@example\.org\s*85\s*Attended"),
        re.compile(r"Bola Bello\s*bola@example\.org\s*20\s*Did not attend", re.I)])
    unmatched = page.get_by_role("table", name="People in the report not matched")
    expect(unmatched.get_by_role("row")).to_have_text([
        re.compile(r"Name\s*Email\s*Minutes\s*Role"),
        re.compile(r"Olu Organiser\s*organiser@example\.org\s*94\s*Organizer"),
        re.compile(r"Pat Unregistered\s*pat@example\.org\s*61\s*Attendee"),
        re.compile(r"Jo Visitor \(Guest\)\s*No email address\s*45\s*Attendee")])
    expect(page.get_by_text("Marked as did not attend: Chen Cho.")).to_be_visible()
    check_page(page, "attendance-imported")

    # Stored: the attendance page shows it, and so does the database.
    press(page, page.get_by_role("link", name="Check or change attendance"))
    people = page.get_by_role("table", name="People registered")
    expect(people.get_by_role("row")).to_have_text([
        re.compile(r"Name\s*Email\s*Attendance\s*Minutes"),
        re.compile(r"Alice Adams\s*Alice\.Adams@example\.org\s*Attended\s*85"),
        re.compile(r"Bola Bello\s*bola@example\.org\s*Did not attend\s*–", re.I),
        re.compile(r"Chen Cho\s*chen@example\.org\s*Did not attend\s*–", re.I)])
    check_page(page, "attendance-after-import")
    db.session.expire_all()
    stored = {r.user.email: (r.attendance, r.attended_minutes) for r in db.session.execute(
        select(WorkshopRegistration).where(WorkshopRegistration.event_id == w.past.id)).scalars()}
    assert stored == {"Alice.Adams@example.org": (Attendance.ATTENDED, 85),
                      "bola@example.org": (Attendance.DID_NOT_ATTEND, None),
                      "chen@example.org": (Attendance.DID_NOT_ATTEND, None)}
