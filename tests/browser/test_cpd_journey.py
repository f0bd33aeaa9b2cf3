"""CPD journey in Chromium, keyboard only, axe on every page: a facilitator marks a practitioner's surgery
attended; the practitioner opens the draft from the email, writes the reflection with a peer reflection, sees
"ready for renewal" and downloads the PDF log and a certificate."""

import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ep_events.accounts.models import Role
from ep_events.core.time import utcnow
from ep_events.cpd.drafts import create_cpd_drafts
from ep_events.cpd.records import RecordAnswers, save_record
from ep_events.cpd.years import uk_day
from ep_events.extensions import db
from ep_events.notifications.outbox import deliver_all
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.dates import create_surgery_date
from ep_events.surgeries.models import SessionKind, SurgeryDateStatus
from tests import factories
from tests.browser.keyboard import press, type_into
from tests.browser.test_surgery_journeys import sign_in_with_keyboard

pytestmark = pytest.mark.browser


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_practitioner_reflects_on_an_attended_surgery_and_downloads_the_log_and_a_certificate(
        page, browser, live_server, check_page, mailbox, app, tmp_path):
    programme = factories.surgery_programme(slug="mtc", name="MTC Early Permanence practice surgeries")
    facilitator = factories.user(email="fac@example.org", name="Fay Facilitator", roles=[(Role.FACILITATOR, programme)])
    pat = factories.user(email="pat@example.org", name="Pat Practitioner")
    now = utcnow()
    back_then = now - timedelta(days=20)
    day = (now - timedelta(days=1)).date()
    surgery_date = create_surgery_date(None, programme, day, SessionKind.AM, now=back_then, allow_non_working_day=True)
    surgery_date.status = SurgeryDateStatus.PUBLISHED
    db.session.flush()
    booking, _ = book_slot(surgery_date.slots[0], pat, "reflect", now=back_then)
    # One complete record already in the surgery's registration year, without a peer reflection.
    save_record(pat, None, RecordAnswers(cpd_type="Reading or research", title="Reading the good practice guide",
                                         activity_date=uk_day(booking.starts_at), description="Read it.",
                                         learning="Learnt.", impact="Impact."), complete=True)
    db.session.commit()

    # The facilitator marks the practitioner attended.
    sign_in_with_keyboard(page, check_page, facilitator)
    page.goto(f"/surgeries/manage/dates/{surgery_date.id}")
    check_page(page, "manage-date")
    press(page, page.get_by_role("radio", name="Attended"), key="Space")
    press(page, page.get_by_role("button", name="Save attendance"))
    check_page(page, "attendance-saved")

    # The scheduled job drafts the reflection and emails once.
    assert create_cpd_drafts() == 1
    assert create_cpd_drafts() == 0
    deliver_all("journey")
    [message] = [m for m in mailbox.messages if m.recipients == ["pat@example.org"] and "CPD" in m.subject]
    link = re.search(r"http://127\.0\.0\.1:\d+/cpd/records/\d+", message.text).group(0)

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900},
                                  accept_downloads=True)
    practitioner = context.new_page()
    practitioner.set_default_timeout(10000)
    practitioner.goto(link)  # signed out: sign in, then straight to the draft
    type_into(practitioner, "#email", pat.email)
    type_into(practitioner, "#password", factories.PASSWORD)
    practitioner.keyboard.press("Enter")
    expect(practitioner.get_by_role("heading", level=1)).to_have_text("Write your reflection")
    # The home page says it is waiting too, and leads back to it.
    practitioner.goto("/")
    expect(practitioner.get_by_role("heading", name="Reflections to write")).to_be_visible()
    check_page(practitioner, "home-reflections-to-write")
    press(practitioner, practitioner.get_by_role("link", name=re.compile("^Practice surgery: ")))
    expect(practitioner.get_by_role("heading", level=1)).to_have_text("Write your reflection")
    expect(practitioner.get_by_label("Peer learning session")).to_be_checked()
    check_page(practitioner, "draft")
    type_into(practitioner, "#description", "A practice surgery on planning early permanence for a baby.")
    type_into(practitioner, "#learning", "How to explain both outcomes to carers – with Zoë’s notes.")
    type_into(practitioner, "#impact", "Carers hear about family time before the placement starts.")
    press(practitioner, practitioner.get_by_label("I discussed this CPD with a peer (a peer reflection)"), key="Space")
    type_into(practitioner, "#peer_role", "Senior practitioner")
    type_into(practitioner, "#peer_learning", "How another team prepares carers.")
    press(practitioner, practitioner.get_by_role("button", name="Save and mark complete"))
    expect(practitioner.get_by_role("heading", level=1)).to_have_text("Your CPD log")
    expect(practitioner.locator("#progress")).to_contain_text(
        "2 of 2 records, 1 with peer reflection: ready for renewal")
    check_page(practitioner, "log")

    tab_target = practitioner.get_by_role("link", name=re.compile("Download the log as PDF"))
    with practitioner.expect_download() as download:
        press(practitioner, tab_target)
    log = tmp_path / "log.pdf"
    download.value.save_as(log)
    text = _pdf_text(log)
    assert "How to explain both outcomes to carers – with Zoë’s notes." in text
    assert "Senior practitioner" in text and "Peer learning session" in text

    with practitioner.expect_download() as download:
        press(practitioner, practitioner.get_by_role("button", name=re.compile("Certificate: Practice surgery: ")))
    certificate = tmp_path / "certificate.pdf"
    download.value.save_as(certificate)
    text = _pdf_text(certificate)
    assert "Certificate of attendance" in text and "Pat Practitioner" in text and "40 minutes" in text
    code = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", text).group(0)
    context.close()

    page.goto(f"/certificates/{code}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("This certificate is genuine")
    expect(page.get_by_text("P. P.", exact=True)).to_be_visible()
    check_page(page, "verify")
