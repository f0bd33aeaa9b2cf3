"""Changing one's email address as a user does it, in Chromium, with axe on every page visited."""

import re

import pytest
from playwright.sync_api import expect

from ep_events.extensions import db
from ep_events.notifications.outbox import deliver_all
from tests import factories

pytestmark = pytest.mark.browser


def test_person_changes_their_email_address_and_confirms_it_from_the_new_inbox(page, live_server, check_page,
                                                                              mailbox):
    user = factories.user(email="old-address@example.org", name="Robin Mover")
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/account")
    page.get_by_role("link", name="Change your email address").first.click()
    check_page(page, "change-email")

    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_page(page, "change-email-errors")

    page.get_by_label("New email address").fill("new-address@example.org")
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.get_by_role("heading", name="Check your new email address")).to_be_visible()
    check_page(page, "change-email-sent")

    deliver_all("test-worker")
    message = next(m for m in mailbox.messages if m.recipients == ["new-address@example.org"])
    link = re.search(r"http://\S+/account/email/confirm/\S+", message.text).group(0)
    page.goto(link)
    check_page(page, "confirm-new-address")
    page.get_by_role("button", name="Change my email address").click()
    expect(page.get_by_text("Your email address is now new-address@example.org.")).to_be_visible()
    check_page(page, "account-after-change")
    page.set_viewport_size({"width": 320, "height": 800})
    check_page(page, "account-after-change-320")
