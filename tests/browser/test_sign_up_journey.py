"""What a new practitioner and an admin actually click, in Chromium, with axe on every page visited."""

import re

import pytest
from playwright.sync_api import expect

from ep_events.demo import load_demo_data
from ep_events.extensions import db
from ep_events.notifications.models import OutboxStatus
from ep_events.notifications.outbox import deliver_all, queue_email
from ep_events.organisations.services import list_organisations
from ep_events.programmes.services import list_programmes

pytestmark = pytest.mark.browser

PASSWORD = "my-own-long-password"


def _tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element is focused, as a keyboard user would; fail if it never is."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def _assert_ids_are_unique(page) -> None:
    """Two elements with one id leave a label or an error-summary link pointing at the wrong field."""
    duplicates = page.evaluate("""() => {
        const seen = {};
        for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
        return Object.keys(seen).filter(id => seen[id] > 1);
    }""")
    assert duplicates == [], f"duplicate ids on {page.url}: {duplicates}"


def test_new_practitioner_signs_up_confirms_signs_in_with_the_keyboard_and_signs_out(
        page, live_server, check_page, mailbox, app):
    load_demo_data()
    db.session.commit()

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book Early Permanence practice events")
    check_page(page, "home")

    page.get_by_role("button", name="Create an account").click()
    expect(page).to_have_title("Create an account – EP Events")
    check_page(page, "sign-up")

    # Submitting it empty shows the error summary, which must be accessible too.
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_title("Error: Create an account – EP Events")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_page(page, "sign-up-errors")

    page.get_by_label("Full name").fill("Robin Newcomer")
    page.get_by_label("Work email address").fill("robin@example.org")
    page.get_by_label("Job title").fill("Adoption social worker")
    page.get_by_label("Organisation", exact=True).select_option(label="Riverton City Council")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text("robin@example.org")).to_be_visible()
    check_page(page, "check-your-email")

    db.session.expire_all()
    deliver_all("test-worker")
    [message] = mailbox.to("robin@example.org")
    link = re.search(r"http://\S+/confirm/\S+", message.text).group(0)
    assert link.startswith(live_server.url)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    check_page(page, "confirm")
    page.get_by_role("button", name="Confirm my email address").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
    check_page(page, "sign-in")

    _tab_to(page, "input[name=email]")
    page.keyboard.type("robin@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_text("Signed in as Robin Newcomer.").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book Early Permanence practice events")
    check_page(page, "signed-in-home")

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    check_page(page, "your-account")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    check_page(page, "signed-out-home")


def test_every_admin_page_passes_axe(page, live_server, check_page, app):
    load_demo_data()
    failed = queue_email("someone@example.org", "accounts/reset_password",
                         user=type("U", (), {"name": "Someone"})(), reset_url="http://localhost/", hours=2)
    failed.status = OutboxStatus.FAILED
    failed.attempts = 6
    failed.last_error = "SMTPRecipientsRefused: {'someone@example.org': (550, b'No such user')}"
    db.session.commit()
    organisation = list_organisations()[0]
    programme = list_programmes()[0]
    from ep_events.accounts.services import get_user_by_email

    organiser = get_user_by_email("organiser@example.org")

    page.goto("/sign-in")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(app.config["DEMO_PASSWORD"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Alex Admin.").first).to_be_visible()

    pages = [
        ("/admin/", "Admin"),
        ("/admin/organisations", "Organisations"),
        ("/admin/organisations/new", "Add an organisation"),
        (f"/admin/organisations/{organisation.id}", f"Edit {organisation.name}"),
        ("/admin/programmes", "Programmes"),
        ("/admin/programmes/new", "Add a programme"),
        (f"/admin/programmes/{programme.id}", f"Edit {programme.name}"),
        ("/admin/users", "Users and roles"),
        (f"/admin/users/{organiser.id}", organiser.name),
        ("/admin/audit", "Audit log"),
        ("/admin/outbox", "Outbox"),
    ]
    for path, heading in pages:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_page(page, "admin-" + (path.strip("/").replace("/", "-") or "index"))
        _assert_ids_are_unique(page)

    # The failed states too: an organisation form and a role form with errors.
    page.goto("/admin/organisations/new")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_page(page, "admin-organisation-errors")

    page.goto(f"/admin/users/{organiser.id}")
    page.get_by_role("radio", name="Facilitator").check()
    page.get_by_role("button", name="Add role").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_page(page, "admin-grant-errors")

    page.goto("/admin/outbox")
    page.get_by_role("button", name=re.compile("Resend")).click()
    expect(page.get_by_text("will be sent again")).to_be_visible()
    check_page(page, "admin-outbox-resent")

    page.goto(f"/admin/organisations/{organisation.id}")
    page.get_by_label("Name").fill(organisation.name + " Partnership")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.get_by_text("saved.")).to_be_visible()
    page.goto("/admin/audit")
    expect(page.get_by_role("cell", name="Changed an organisation Organisation")).to_be_visible()
    check_page(page, "admin-audit-with-entries")
