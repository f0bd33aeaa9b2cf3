"""An organiser opens their programme's dashboard from Manage, filters it, and reads its chart and tables;
axe finds nothing on the way (the world of tests/dashboards/conftest.py, built on its frozen day)."""

from freezegun import freeze_time
from playwright.sync_api import expect

from tests.browser.test_surgery_journeys import sign_in_with_keyboard
from tests.dashboards.conftest import TODAY, build_world


def test_organiser_reads_and_filters_the_surgery_dashboard(page, live_server, check_page, app):
    with freeze_time(TODAY):
        world = build_world()
    sign_in_with_keyboard(page, check_page, world.mtc_organiser)
    page.goto("/manage")
    page.get_by_role("link", name="Dashboard: who took part").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    for box, value in (("#from-day", "1"), ("#from-month", "4"), ("#from-year", "2026"),
                       ("#to-day", "31"), ("#to-month", "3"), ("#to-year", "2027")):
        page.locator(box).fill(value)
    page.get_by_label("Region", exact=True).select_option("West Midlands")
    page.get_by_role("button", name="Show figures").click()
    # The filtered view has its own address, holding the filters only.
    assert page.url.endswith("/dashboards/mtc?from=1&from=4&from=2026&to=31&to=3&to=2027&region=West+Midlands&kind=")
    expect(page.get_by_text("Events from 1 April 2026 to 31 March 2027; places booked from all organisations "
                            "in West Midlands.")).to_be_visible()
    chart = page.get_by_role("img", name="Places taken, by region")
    expect(chart).to_be_visible()
    regions = page.get_by_role("region", name="Reach by region", exact=True)
    expect(regions.get_by_role("row", name="West Midlands 2 3 4 2")).to_be_visible()
    check_page(page, "dashboard")
    page.goto("/dashboards/mtc?region=Atlantis")
    expect(page.get_by_role("link", name="Choose a region from the list")).to_be_visible()
    check_page(page, "dashboard-error")
