"""What the account, cookies and privacy pages tell people, and the calendar feed on the account page."""

import re
from http.cookies import SimpleCookie

from ep_events.extensions import db
from tests import factories
from tests.conftest import sign_in


def _set_cookie_names(response) -> set[str]:
    names = set()
    for header in response.headers.getlist("Set-Cookie"):
        names.update(SimpleCookie(header).keys())
    return names


def test_the_cookies_page_names_exactly_the_cookies_the_site_sets(app, client, deliver):
    user = factories.user()
    db.session.commit()
    seen = set()
    journey = [
        lambda: client.get("/"),
        lambda: client.post("/sign-up", data={"name": "New", "job_title": "Social worker", "organisation": "other",
                                              "organisation_other": "Council", "email": "new@example.org",
                                              "password": "a-long-password"}),
        lambda: client.post("/sign-in", data={"email": user.email, "password": "wrong-password-1"}),
        lambda: client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD}),
        lambda: client.get("/account"),
        lambda: client.post("/account/calendar-feed"),
        lambda: client.post("/sign-out"),
        lambda: client.post("/forgot-password", data={"email": user.email}),
    ]
    for step in journey:
        seen |= _set_cookie_names(step())
    page = client.get("/cookies").get_data(as_text=True)
    table = page[page.index("<table"):page.index("</table>")]
    listed = set(re.findall(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">\s*(\S+?)\s*</td>', table))
    assert seen == {"session"}
    assert listed == seen
    assert "remember_token" not in page


def test_the_privacy_notice_names_the_data_controller_and_the_right_to_complain_to_the_ico(app, client):
    app.config["DATA_CONTROLLER"] = "Example Adoption Partnership"
    app.config["DATA_CONTROLLER_EMAIL"] = "data-protection@example.org"
    page = client.get("/privacy").get_data(as_text=True)
    assert "The data controller for EP Events is Example Adoption Partnership." in page
    assert 'href="mailto:data-protection@example.org"' in page
    assert "right to complain to the Information Commissioner’s Office (ICO)" in page
    assert 'href="https://ico.org.uk/make-a-complaint/"' in page


def _feed_section(body: str) -> str:
    return body[body.index('id="calendar-feed"'):body.index("Manage your account")]


def test_the_account_page_gives_the_feed_address_steps_for_each_calendar_and_a_webcal_link(app, client):
    app.config["BASE_URL"] = "https://events.example.org"
    user = factories.user()
    db.session.commit()
    sign_in(client, user)
    assert "Create my calendar address" in client.get("/account").get_data(as_text=True)
    client.post("/account/calendar-feed")
    db.session.refresh(user)
    section = _feed_section(client.get("/account").get_data(as_text=True))
    address = f"https://events.example.org/calendar/{user.feed_token}.ics"
    # The address is in a labelled read-only field, selectable without JavaScript.
    field = rf'<input class="govuk-input" id="feed-url" type="text" value="{re.escape(address)}" readonly'
    assert re.search(field, section)
    assert '<label class="govuk-label" for="feed-url">' in section
    assert 'data-module="app-copy" data-copy-target="feed-url"' in section
    assert f'href="webcal://events.example.org/calendar/{user.feed_token}.ics"' in section
    for steps in ("<strong>Add calendar</strong>, then <strong>Subscribe from web</strong>",
                  "<strong>Other calendars</strong>", "<strong>From URL</strong>",
                  "<strong>New Calendar Subscription</strong>"):
        assert steps in section
    # Changing the address is a link to a page that asks first, not a button that acts at once.
    assert 'href="/account/calendar-feed/change"' in section
    assert 'action="/account/calendar-feed"' not in section


def test_changing_the_feed_address_asks_for_confirmation_first(client):
    user = factories.user()
    db.session.commit()
    sign_in(client, user)
    client.post("/account/calendar-feed")
    db.session.refresh(user)
    before = user.feed_token
    page = client.get("/account/calendar-feed/change")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<title>Change your calendar address – EP Events</title>" in body
    assert "will stop working" in body
    assert 'action="/account/calendar-feed"' in body and "Change the address" in body
    assert 'href="/account#calendar-feed">Keep the address I have' in body
    db.session.refresh(user)
    assert user.feed_token == before

    response = client.post("/account/calendar-feed")
    assert response.headers["Location"] == "/account#calendar-feed"
    db.session.refresh(user)
    assert user.feed_token != before
    assert "the old address no longer works" in client.get("/account").get_data(as_text=True)


def test_the_confirmation_page_without_an_address_goes_back_to_the_account_page(client):
    user = factories.user()
    db.session.commit()
    sign_in(client, user)
    response = client.get("/account/calendar-feed/change")
    assert response.status_code == 302 and response.headers["Location"] == "/account#calendar-feed"


def test_a_programmes_page_links_to_its_public_calendar_feed(app, client):
    app.config["BASE_URL"] = "https://events.example.org"
    factories.surgery_programme(slug="mtc", name="MTC surgeries")
    db.session.commit()
    body = client.get("/surgeries/mtc").get_data(as_text=True)
    top = body[:body.index("<h2")] if "<h2" in body else body
    assert 'href="https://events.example.org/programmes/mtc/events.ics"' in top
    assert client.get("/programmes/mtc/events.ics").status_code == 200
