"""Invitation list journeys in Chromium, keyboard only, with axe on every page checked.

Journey 1 of issue 14: a visitor joins the invitation list and confirms from the email; the organiser announces
a workshop (compose, preview, send, progress); the announcement is delivered over the loopback SMTP server; the
visitor opens the visible unsubscribe link in it and unsubscribes.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ep_events.accounts.models import Role
from ep_events.core.time import UK, utcnow
from ep_events.extensions import db
from ep_events.invitations.models import InvitationListEntry, ListEntryStatus
from ep_events.notifications.mailings import queue_all
from ep_events.notifications.outbox import deliver_all
from ep_events.workshops.workshops import create_workshop, publish_workshop
from tests import factories
from tests.browser.keyboard import press, type_into
from tests.browser.test_surgery_journeys import sign_in_with_keyboard
from tests.workshops.conftest import details

pytestmark = pytest.mark.browser

VISITOR = "vera.visitor@example.org"


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _delivered(mailbox) -> list:
    deliver_all("journey")
    messages = list(mailbox.messages)
    mailbox.clear()
    return messages


def test_visitor_joins_confirms_gets_the_announcement_and_unsubscribes_from_its_link(
        page, browser, live_server, check_page, mailbox, app):
    now = utcnow()
    programme = factories.programme(kind="workshops", slug="pds-workshops", name="Adoption England P&SD workshops",
                                    contact_email="ep-workshops@example.org")
    organiser = factories.user(email="organiser@example.org", name="Olu Organiser",
                               roles=[(Role.ORGANISER, programme)])
    workshop = create_workshop(organiser, programme, details(
        title="Hope boxes", day=(now.astimezone(UK) + timedelta(days=21)).date()), now=now)
    publish_workshop(organiser, workshop, now=now)
    db.session.commit()
    mailbox.clear()

    # The visitor (no account) joins the list in their own browser.
    visitor = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    visitor_page = visitor.new_page()
    visitor_page.set_default_timeout(10000)
    try:
        visitor_page.goto("/lists/pds-workshops/join")
        expect(visitor_page.get_by_role("heading", level=1)).to_have_text("Join the invitation list")
        check_page(visitor_page, "join")
        type_into(visitor_page, visitor_page.get_by_label("Your name"), "Vera Visitor")
        type_into(visitor_page, visitor_page.get_by_label("Your email address"), VISITOR)
        type_into(visitor_page, visitor_page.get_by_label("Organisation (optional)"), "Riverton City Council")
        press(visitor_page, visitor_page.get_by_role("button", name="Join the invitation list"))
        check_page(visitor_page, "check-your-email")

        [confirm_email] = _delivered(mailbox)
        assert confirm_email.recipients == [VISITOR]
        confirm_link = re.search(r"https?://\S+/lists/confirm/\S+", confirm_email.text).group(0)
        visitor_page.goto(_path(confirm_link))
        expect(visitor_page.get_by_role("heading", level=1)).to_have_text(
            "Confirm you want to join the invitation list")
        check_page(visitor_page, "confirm")
        press(visitor_page, visitor_page.get_by_role("button", name="Confirm"))
        check_page(visitor_page, "joined")
        db.session.expire_all()
        entry = db.session.execute(select(InvitationListEntry)).scalar_one()
        assert entry.status is ListEntryStatus.CONFIRMED

        # The organiser announces the workshop: details prefilled, preview, send, progress.
        sign_in_with_keyboard(page, check_page, organiser)
        page.goto(f"/workshops/manage/{workshop.id}/announce")
        expect(page.get_by_role("heading", level=1)).to_have_text("Announce a workshop")
        expect(page.get_by_label("Subject")).to_have_value("Adoption England P&SD workshops: Hope boxes")
        check_page(page, "announce")
        press(page, page.get_by_role("button", name="Preview"))
        expect(page.get_by_role("heading", name="HTML version")).to_be_visible()
        check_page(page, "announce-preview")
        press(page, page.get_by_role("button", name="Send to 1 subscriber"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Announcement progress")
        press(page, page.get_by_role("link", name="Stop refreshing"))
        expect(page.get_by_text("Waiting to be sent")).to_be_visible()
        check_page(page, "progress-sending")

        queue_all()
        [announcement] = _delivered(mailbox)
        press(page, page.get_by_role("link", name="Refresh the figures"))
        expect(page.get_by_text("Finished")).to_be_visible()
        check_page(page, "progress-finished")
        assert announcement.recipients == [VISITOR]
        assert announcement.subject == "Adoption England P&SD workshops: Hope boxes"
        assert announcement.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

        # The visitor opens the visible link in the email and unsubscribes.
        unsubscribe_link = re.search(r"unsubscribe: (\S+)", announcement.text).group(1)
        assert f'href="{unsubscribe_link}"' in announcement.html
        visitor_page.goto(_path(unsubscribe_link))
        expect(visitor_page.get_by_role("heading", level=1)).to_have_text("Unsubscribe from the invitation list")
        check_page(visitor_page, "unsubscribe")
        press(visitor_page, visitor_page.get_by_role("button", name="Unsubscribe"))
        check_page(visitor_page, "unsubscribed")
        db.session.expire_all()
        assert db.session.execute(select(InvitationListEntry)).scalar_one().status is ListEntryStatus.UNSUBSCRIBED
    finally:
        visitor.close()
