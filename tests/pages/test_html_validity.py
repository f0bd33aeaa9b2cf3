"""Every page is valid HTML (W3C Nu Html Checker), as each demo role sees it; and looking changes nothing: no
GET a role's crawl makes adds, removes or updates a row."""

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.extensions import db
from tests.crawl import DEMO_NOW, DEMO_ROLES, crawl, demo_dataset, links_in, sign_in_demo_user
from tests.html_validator import PageFolder

# Views the crawl must reach, so that a crawl which stopped following links cannot pass by checking little.
MUST_REACH = {
    "pages.home", "pages.dev_mailbox", "pages.dev_mail_message", "accounts.sign_in", "accounts.sign_up",
    "accounts.profile", "surgeries.programme_slots", "surgeries.book", "people.my_bookings",
    "surgeries.booking_detail", "surgeries.move_booking", "surgeries.cancel_booking", "surgeries.manage",
    "surgeries.manage_date", "surgeries.new_date", "surgeries.settings", "admin.index", "admin.user_edit",
    "billing.invoices", "billing.invoice", "billing.settings", "billing.export", "dashboards.index",
    "dashboards.programme_dashboard",
}


def database_state() -> dict[str, tuple]:
    """Per table: its row count and, where it has one, its latest `updated_at` and `created_at`."""
    state = {}
    for table in db.metadata.sorted_tables:
        columns = [func.count()] + [func.max(table.c[name]) for name in ("updated_at", "created_at")
                                    if name in table.c]
        state[table.name] = tuple(db.session.execute(select(*columns).select_from(table)).one())
    return state


@freeze_time(DEMO_NOW)
def test_every_page_each_demo_role_can_reach_is_valid_html(app, client, mailbox, tmp_path):
    app.config["WTF_CSRF_ENABLED"] = True  # as served: the CSRF fields are part of the pages
    demo_dataset(app, mailbox)
    pages = PageFolder(tmp_path / "pages")
    reached = set()
    for role, email in DEMO_ROLES.items():
        person = app.test_client()
        if email:
            sign_in_demo_user(person, email, app.config["DEMO_PASSWORD"])
        db.session.expire_all()
        before = database_state()
        for page in crawl(app, person):
            assert page.status == 200, f"{role}: {page.path} answered {page.status}"
            pages.save(f"{role} {page.path}", page.html)
            reached.add(page.endpoint)
        db.session.expire_all()
        after = database_state()
        changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
        assert not changed, f"{role}'s GET requests changed the database: {changed}"
    # Error pages and a form with errors are pages too.
    pages.save("anonymous /no-such-page (404)", client.get("/no-such-page").get_data())
    token = links_in(client.get("/sign-in").get_data(as_text=True)).csrf_token
    failed = client.post("/sign-in", data={"email": "", "password": "", "csrf_token": token})
    assert failed.status_code == 400
    pages.save("anonymous POST /sign-in with nothing filled in (400)", failed.get_data())
    sign_in_demo_user(client, DEMO_ROLES["practitioner"], app.config["DEMO_PASSWORD"])
    pages.save("practitioner /admin/ (403)", client.get("/admin/").get_data())

    assert MUST_REACH <= reached, f"the crawl did not reach {sorted(MUST_REACH - reached)}"
    errors = pages.errors()
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def test_the_checker_reports_the_errors_issue_11_found(tmp_path):
    pages = PageFolder(tmp_path / "pages")
    pages.save("a page with both", '<!DOCTYPE html><html lang="en"><head><title>Both</title></head><body>'
               '<div class="govuk-service-navigation" aria-label="Menu"></div>'
               '<form method="post" action=""><button>Go</button></form></body></html>')
    errors = "\n".join(pages.errors())
    assert "a page with both line 1: The “aria-label” attribute must not be specified on any “div”" in errors
    assert "Bad value “” for attribute “action” on element “form”: Must be non-empty." in errors


def test_the_check_fails_rather_than_skips_without_java(tmp_path, monkeypatch):
    monkeypatch.setattr("tests.html_validator.shutil.which", lambda name: None)
    pages = PageFolder(tmp_path / "pages")
    pages.save("any page", "<!DOCTYPE html><title>x</title>")
    with pytest.raises(pytest.fail.Exception, match="install default-jre-headless"):
        pages.errors()
