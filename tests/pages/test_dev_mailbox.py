"""The development mailbox: emails caught by the loopback catcher, their HTML as sent and their invites."""

import shutil
import threading
from email.utils import parseaddr

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from werkzeug.serving import make_server

from ep_events.extensions import db
from ep_events.notifications.devmail import start_mail_catcher
from ep_events.notifications.outbox import deliver_all
from ep_events.surgeries.bookings import book_slot
from tests import factories
from tests.conftest import free_port, make_app


@pytest.fixture
def dev_app(tmp_path, empty_sqlite_schema):
    """An app whose email goes to a catcher that saves it in DEV_MAIL_DIR, as under `make run`."""
    folder = tmp_path / "dev-mail"
    port = free_port()
    controller, _ = start_mail_catcher(port, folder)
    shutil.copyfile(empty_sqlite_schema, tmp_path / "dev.db")
    app = make_app(f"sqlite:///{tmp_path / 'dev.db'}", port, DEV_MAIL_DIR=str(folder))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    controller.stop()


def _send_a_booking_confirmation():
    programme = factories.surgery_programme(slug="mtc", name="MTC Early Permanence practice surgeries")
    surgery_date = factories.surgery_date(programme, days_ahead=12, teams_url=factories.TEAMS_URL)
    person = factories.user(email="mailbox-reader@example.org", name="Mo Mailbox")
    booking, _ = book_slot(surgery_date.slots[0], person, "general")
    db.session.commit()
    assert deliver_all("test") == (1, 0)
    return booking


def test_mailbox_shows_the_email_html_as_sent_and_offers_the_invite_to_download(dev_app):
    booking = _send_a_booking_confirmation()
    client = dev_app.test_client()

    listing = client.get("/dev/mailbox").get_data(as_text=True)
    assert "Surgery booked:" in listing and "mailbox-reader@example.org" in listing
    message_page = client.get("/dev/mailbox/000001.eml")
    body = message_page.get_data(as_text=True)
    assert message_page.status_code == 200
    assert '<iframe class="app-mail-frame" sandbox src="/dev/mailbox/000001.eml/html"' in body
    assert 'href="/dev/mailbox/000001.eml/files/invite.ics" download>Download invite.ics</a>' in body

    html = client.get("/dev/mailbox/000001.eml/html")
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert "<body style=" in html.get_data(as_text=True)  # the email's own markup, inline styles and all
    assert factories.TEAMS_URL.replace("&", "&amp;") in html.get_data(as_text=True)
    policy = html.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert "script-src" not in policy  # so nothing may run
    assert html.headers["X-Frame-Options"] == "SAMEORIGIN"
    # The site's other pages still refuse to be framed.
    assert message_page.headers["X-Frame-Options"] == "DENY"

    download = client.get("/dev/mailbox/000001.eml/files/invite.ics")
    assert download.status_code == 200
    assert download.mimetype == "text/calendar"
    assert download.headers["Content-Disposition"] == "attachment; filename=invite.ics"
    calendar = Calendar.from_ical(download.data)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == booking.uid
    assert event.decoded("DTSTART") == booking.slot.starts_at
    assert parseaddr(str(event["ATTENDEE"]))[1].lower().endswith("mailbox-reader@example.org")


def test_mailbox_addresses_that_do_not_exist_are_not_found(dev_app):
    _send_a_booking_confirmation()
    client = dev_app.test_client()
    for path in ("/dev/mailbox/000002.eml", "/dev/mailbox/000002.eml/html",
                 "/dev/mailbox/000001.eml/files/other.ics", "/dev/mailbox/..%2Fdev.db/html"):
        assert client.get(path).status_code == 404, path


def test_mailbox_is_not_there_unless_dev_mailbox_is_on(dev_app):
    _send_a_booking_confirmation()
    dev_app.config["DEV_MAILBOX"] = False
    client = dev_app.test_client()
    for path in ("/dev/mailbox", "/dev/mailbox/000001.eml", "/dev/mailbox/000001.eml/html",
                 "/dev/mailbox/000001.eml/files/invite.ics"):
        assert client.get(path).status_code == 404, path
    assert "Demo mailbox" not in client.get("/").get_data(as_text=True)


@pytest.mark.browser
def test_the_email_shows_in_its_sandboxed_frame_in_chromium(dev_app, browser, tmp_path):
    _send_a_booking_confirmation()
    port = free_port()
    server = make_server("127.0.0.1", port, dev_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(base_url=f"http://127.0.0.1:{port}", viewport={"width": 1100, "height": 900},
                                  accept_downloads=True)
    try:
        page = context.new_page()
        page.goto("/dev/mailbox/000001.eml")
        frame = page.frame_locator("iframe.app-mail-frame")
        expect(frame.get_by_text("Dear Mo Mailbox,")).to_be_visible()
        expect(frame.get_by_role("link", name=factories.TEAMS_URL)).to_be_visible()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download invite.ics").click()
        download = download_info.value
        assert download.suggested_filename == "invite.ics"
        saved = tmp_path / "invite.ics"
        download.save_as(saved)
        assert Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    finally:
        context.close()
        server.shutdown()
