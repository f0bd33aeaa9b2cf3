"""The calendar feed on the account page, in Chromium: a copy button with JavaScript, a selectable
address without it, and a confirmation before the address changes."""

import pytest
from playwright.sync_api import expect

from ep_events.extensions import db
from tests import factories

pytestmark = pytest.mark.browser


def _sign_in(page, user):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {user.name}.", exact=True)).to_be_visible()


def _person_with_feed():
    user = factories.user(feed_token="a" * 43)
    db.session.commit()
    return user


def test_the_copy_button_puts_the_feed_address_on_the_clipboard(page, live_server, check_page):
    user = _person_with_feed()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, user)
    page.goto("/account#calendar-feed")
    address = f"{live_server.url}/calendar/{user.feed_token}.ics"
    expect(page.get_by_label("Calendar address")).to_have_value(address)
    button = page.get_by_role("button", name="Copy the calendar address")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Address copied.")
    assert page.evaluate("navigator.clipboard.readText()") == address
    check_page(page, "account-feed-1280")
    page.set_viewport_size({"width": 320, "height": 800})
    check_page(page, "account-feed-320")

    page.get_by_role("link", name="Change the address of your calendar feed").click()
    check_page(page, "change-feed-confirmation")
    page.get_by_role("link", name="Keep the address I have").click()
    expect(page.get_by_label("Calendar address")).to_have_value(address)
    page.get_by_role("link", name="Change the address of your calendar feed").click()
    page.get_by_role("button", name="Change the address").click()
    expect(page.get_by_text("the old address no longer works")).to_be_visible()
    db.session.refresh(user)
    assert user.feed_token != "a" * 43
    expect(page.get_by_label("Calendar address")).to_have_value(f"{live_server.url}/calendar/{user.feed_token}.ics")


def test_without_javascript_there_is_no_copy_button_and_the_address_can_be_selected(browser, live_server, app):
    user = _person_with_feed()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        _sign_in(page, user)
        page.goto("/account")
        field = page.get_by_label("Calendar address")
        expect(field).to_have_value(f"{live_server.url}/calendar/{user.feed_token}.ics")
        expect(page.get_by_role("button", name="Copy the calendar address")).to_have_count(0)
        field.click()
        page.keyboard.press("Control+A")
        selected = field.evaluate("el => el.value.substring(el.selectionStart, el.selectionEnd)")
        assert selected == f"{live_server.url}/calendar/{user.feed_token}.ics"
    finally:
        context.close()
