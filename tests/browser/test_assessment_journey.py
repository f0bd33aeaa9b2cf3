"""Self-assessment journey in Chromium, keyboard only, axe on every page: an agency admin starts an assessment,
rates two standards (the other six were rated earlier), sees the summary chart and the suggested events,
completes it, downloads the XLSX and opens it with openpyxl."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from ep_events.accounts.models import Role
from ep_events.assessments.assessments import EntryInput, save_standard
from ep_events.assessments.models import SelfAssessment
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.standards import current_edition
from tests import factories
from tests.browser.keyboard import choose_radio, press, tab_to, type_into
from tests.browser.test_surgery_journeys import sign_in_with_keyboard

pytestmark = pytest.mark.browser


def test_agency_admin_rates_sees_what_to_book_next_completes_and_downloads_the_spreadsheet(
        page, browser, live_server, check_page, app, tmp_path):
    agency = factories.organisation(name="Adoption Central Midlands", region="West Midlands")
    admin = factories.user(email="ash@example.org", name="Ash Agency-Admin", job_title="Adoption team manager",
                           organisation=agency, roles=[(Role.AGENCY_ADMIN, agency)])
    surgeries = factories.surgery_programme(slug="mtc", name="MTC Early Permanence practice surgeries")
    upcoming = factories.surgery_date(surgeries, days_ahead=12)
    upcoming.practice_standards = ["1.1"]
    db.session.commit()

    sign_in_with_keyboard(page, check_page, admin)
    check_page(page, "home")
    press(page, page.get_by_role("link", name="Your agency's self-assessments"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Practice standards self-assessments")
    check_page(page, "assessments")
    press(page, page.get_by_role("button", name="Start a self-assessment for Adoption Central Midlands"))
    check_page(page, "start")
    press(page, page.get_by_role("button", name="Start a self-assessment"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Self-assessment, started")
    check_page(page, "task-list")
    assessment = db.session.execute(db.select(SelfAssessment)).scalar_one()
    # The other six standards were rated earlier (all green).
    for standard in current_edition().standards[1:5] + current_edition().standards[6:]:
        save_standard(admin, assessment, standard, {s.number: EntryInput(rating="green")
                                                    for s in standard.substandards})
    db.session.commit()
    page.reload()

    # S1: 1.1 red with a comment and an action, the rest green.
    press(page, page.get_by_role("link", name="S1: Principles underpinning effective delivery of early permanence "
                                               "to children who may be adopted"))
    check_page(page, "standard-1")
    choose_radio(page, page.locator('input[name="s1_1_rating"][value="red"]'))
    type_into(page, "#s1_1_comments", "Welfare checklists are not used at every review.")
    type_into(page, "#s1_1_action", "Add the checklist to the review template")
    type_into(page, "#s1_1_owner", "Team manager")
    for n in range(2, 10):
        choose_radio(page, page.locator(f'input[name="s1_{n}_rating"][value="green"]'))
    press(page, page.get_by_role("button", name="Save and return to the task list"))
    expect(page.get_by_text("S1 saved.")).to_be_visible()
    check_page(page, "saved-1")
    # S6: 6.3 amber, the rest green.
    press(page, page.get_by_role("link", name="S6: Maintaining significant relationships to support continuity for "
                                               "the child"))
    for n in range(1, 7):
        choose_radio(page, page.locator(f'input[name="s6_{n}_rating"][value="{"amber" if n == 3 else "green"}"]'))
    press(page, page.get_by_role("button", name="Save and return to the task list"))
    expect(page.get_by_text("You have completed 8 of 8 standards")).to_be_visible()
    check_page(page, "all-rated")

    # The summary: the chart, its table, and what to book next.
    press(page, page.get_by_role("link", name="See the summary and what to book next"))
    expect(page.get_by_role("img", name="Ratings per standard")).to_be_visible()
    expect(page.get_by_role("row", name="S1: Principles underpinning effective delivery of early permanence to "
                                        "children who may be adopted 1 0 8 0")).to_be_visible()
    suggestion = page.get_by_role("link", name=f"Practice surgery: {upcoming.label}")
    expect(suggestion).to_be_visible()
    check_page(page, "summary")
    tab_to(page, suggestion)

    # Complete it, then download the spreadsheet.
    press(page, page.get_by_role("link", name="Back to the task list"))
    press(page, page.get_by_role("button", name="Complete the self-assessment"))
    check_page(page, "complete")
    expect(page.get_by_label("Name of the person completing it")).to_have_value("Ash Agency-Admin")
    press(page, page.get_by_role("button", name="Complete the self-assessment"))
    expect(page.get_by_text("Self-assessment completed.")).to_be_visible()
    check_page(page, "completed")
    press(page, page.get_by_role("link", name="Back to the task list"))
    expect(page.get_by_text("It can no longer be changed.")).to_be_visible()
    with page.expect_download() as download:
        press(page, page.get_by_role("link", name="Download as a spreadsheet (XLSX)"))
    path = tmp_path / "assessment.xlsx"
    download.value.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert book.sheetnames == [f"S{n}" for n in range(1, 9)]
    first = [c.value for c in book["S1"][5]]
    assert first[:6] == ["1.1", current_edition().substandard("1.1").text,
                         "Welfare checklists are not used at every review.", "red",
                         "Add the checklist to the review template", "Team manager"]
    assert [c.value for c in book["S6"][7]][:4:3] == ["6.3", "amber"]
    assert book["S2"]["A14"].value == "2.10" and book["S2"]["A14"].data_type == "s"
    db.session.expire_all()
    assert assessment.is_completed and assessment.completed_at > utcnow() - timedelta(minutes=5)


def test_the_other_self_assessment_pages_have_no_axe_violations(page, live_server, check_page, app):
    from tests.assessments.conftest import build_world, completed

    world = build_world()
    earlier = completed(world, overrides={"1.1": EntryInput(rating="red", action="Write the pathway",
                                                          action_due_on=utcnow().date() + timedelta(days=3))},
                        shared=True, now=utcnow() - timedelta(days=365))
    later = completed(world, overrides={"1.1": EntryInput(rating="green")}, shared=True)
    sign_in_with_keyboard(page, check_page, world.admin)
    for name, path in (("home", "/"), ("compare", f"/self-assessments/{later.id}/compare?with={earlier.id}"),
                       ("read-only-standard", f"/self-assessments/{later.id}/standards/1"),
                       ("colleagues", f"/self-assessments/agencies/{world.agency.id}/colleagues")):
        page.goto(path)
        check_page(page, name)
    page.goto(f"/self-assessments/{earlier.id}")
    press(page, page.get_by_role("button", name="Start the next self-assessment as a copy"))
    press(page, page.get_by_role("link", name="Import a filled-in toolkit spreadsheet"))
    check_page(page, "import")
    press(page, page.get_by_role("button", name="Upload and preview"))
    expect(page.get_by_text("Choose the toolkit spreadsheet to upload").first).to_be_visible()
    check_page(page, "import-error")
    page.get_by_role("button", name="Sign out").click()
    sign_in_with_keyboard(page, check_page, world.ae_organiser)
    page.goto("/self-assessments/aggregate")
    expect(page.locator("main")).to_contain_text("chose to share it: 1 agency.")
    check_page(page, "aggregate")
