"""Finding an event with the keyboard alone, in Chromium, with axe: filter by where and places left, page on,
follow an event to its own page; the page wide and at 320 px."""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from ep_events.accounts.models import Role
from ep_events.core.time import uk_date, utcnow
from ep_events.extensions import db
from ep_events.workshops.registrations import register
from ep_events.workshops.workshops import WorkshopDetails, create_workshop, publish_workshop
from tests import factories
from tests.browser.keyboard import choose_radio, press, type_into

pytestmark = pytest.mark.browser


def _workshop(programme, organiser, title, weeks, capacity=30):
    # Whole weeks ahead of the real clock: far from any boundary the filters use.
    made = create_workshop(organiser, programme, WorkshopDetails(
        title=title, day=(utcnow() + timedelta(weeks=weeks)).date(), starts=time(10, 0), ends=time(11, 30),
        capacity=capacity, description="", online_url=factories.TEAMS_URL,
        topic="", audience="", practice_standards=()))
    publish_workshop(organiser, made)
    return made


def test_finding_an_online_event_with_places_left_by_keyboard(page, live_server, check_page, app):
    surgeries = factories.surgery_programme(slug="mtc", name="MTC practice surgeries")
    factories.surgery_date(surgeries, days_ahead=21, teams_url=factories.TEAMS_URL)
    workshops = factories.programme(kind="workshops", slug="pds", name="P&SD workshops")
    organiser = factories.user(email="organiser@example.org", roles=[(Role.ORGANISER, workshops)])
    full = _workshop(workshops, organiser, "Hope boxes", weeks=2, capacity=1)
    register(full, factories.user(email="alice@example.org"))
    open_one = _workshop(workshops, organiser, "Managing family time", weeks=5)
    db.session.commit()

    page.goto("/")
    press(page, page.get_by_role("link", name="Find an event"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Find an event")
    check_page(page, "finder")
    expect(page.get_by_role("link", name="Workshop: Hope boxes")).to_be_visible()

    choose_radio(page, page.get_by_label("Online", exact=True))
    press(page, page.get_by_label("Only events with places left"), key="Space")
    press(page, page.get_by_role("button", name="Show events"))
    expect(page).to_have_url(re.compile(r"/events\?.*where=online.*places=yes"))
    expect(page.get_by_role("link", name="Workshop: Hope boxes")).to_have_count(0)
    expect(page.get_by_role("link", name="Workshop: Managing family time")).to_be_visible()
    check_page(page, "finder-filtered")
    page.set_viewport_size({"width": 320, "height": 800})
    check_page(page, "finder-filtered-320")
    page.set_viewport_size({"width": 1100, "height": 900})

    # A date that does not exist: the error summary names it and the focus can reach the field.
    type_into(page, page.locator("#from-day"), "31")
    type_into(page, page.locator("#from-month"), "2")
    type_into(page, page.locator("#from-year"), "2027")
    press(page, page.get_by_role("button", name="Show events"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The date from must be a real date")
    check_page(page, "finder-error")
    press(page, page.get_by_role("link", name="Clear filters"))

    press(page, page.get_by_role("link", name="Workshop: Managing family time"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Managing family time")
    expect(page.get_by_text(uk_date(open_one.starts_at)).first).to_be_visible()
