"""Practice standards on surgery dates and surgery themes (issue 16): a date's tags edited after it is created, each
theme tagged per programme on the settings pages, shown where a person picks a theme, added to the CPD draft of an
attended surgery and found by the event finder."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from ep_events.accounts.models import Role
from ep_events.bookings.models import Attendance
from ep_events.core.audit import AuditEntry
from ep_events.cpd.drafts import create_cpd_drafts
from ep_events.cpd.models import CpdRecord
from ep_events.demo import load_demo_data
from ep_events.extensions import db
from ep_events.programmes.models import Programme
from ep_events.surgeries.attendance import record_attendance
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.models import (
    SurgeryBooking,
    SurgeryDate,
    SurgeryDateStatus,
    SurgerySlot,
    SurgeryThemeStandard,
)
from ep_events.surgeries.themes import set_theme_standards, theme_standards
from tests import factories
from tests.conftest import sign_in

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday
TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_STDS0001%40thread.v2/0?context=%7b%7d"


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time(NOW) as clock:
        yield clock


@pytest.fixture
def world(app):
    programme = factories.surgery_programme(slug="mtc", name="MTC surgeries")
    other = factories.surgery_programme(slug="elsewhere", name="Another collaboration")
    w = {
        "programme": programme,
        "other": other,
        "organiser": factories.user(roles=[(Role.ORGANISER, programme)]),
        "facilitator": factories.user(roles=[(Role.FACILITATOR, programme)]),
        "other_organiser": factories.user(roles=[(Role.ORGANISER, other)]),
        "other_facilitator": factories.user(roles=[(Role.FACILITATOR, other)]),
        "practitioner": factories.user(email="pat@example.org", name="Pat Practitioner"),
        "date": factories.surgery_date(programme, day=date(2026, 12, 16), now=NOW, teams_url=TEAMS),
    }
    db.session.commit()
    return w


def _audits(action: str) -> int:
    return db.session.execute(select(func.count(AuditEntry.id)).where(AuditEntry.action == action)).scalar_one()


# --- A date's tags --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["organiser", "facilitator"])
def test_the_programme_s_organiser_or_facilitator_changes_a_date_s_standards_after_creating_it(client, world, who):
    surgery_date = world["date"]
    sign_in(client, world[who])
    form = client.get(f"/surgeries/manage/dates/{surgery_date.id}/standards")
    assert form.status_code == 200 and "Practice standards of Wednesday 16 December 2026 – AM" in text_of(form)
    saved = client.post(f"/surgeries/manage/dates/{surgery_date.id}/standards",
                        data={"practice_standards": ["S2"], "practice_substandards": "3.4, 1.2"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert surgery_date.practice_standards == ["S2", "1.2", "3.4"]
    page = text_of(client.get(saved.headers["Location"]))
    assert "Practice standards saved." in page
    assert "Practice standards it addresses: S2:" in page and "1.2 " in page and "3.4 " in page
    # The form shows what is saved: S2 ticked, the sub-standards typed.
    again = client.get(f"/surgeries/manage/dates/{surgery_date.id}/standards").get_data(as_text=True)
    assert re.search(r'value="S2"\s+checked', again) and 'value="1.2, 3.4"' in again
    # Clearing them all is allowed.
    assert client.post(f"/surgeries/manage/dates/{surgery_date.id}/standards",
                       data={"practice_substandards": ""}).status_code == 302
    db.session.expire_all()
    assert surgery_date.practice_standards == []
    assert _audits("surgery.date.standards") == 2


@pytest.mark.parametrize("who, status", [("other_organiser", 403), ("other_facilitator", 403),
                                         ("practitioner", 403)])
def test_people_who_do_not_run_the_programme_cannot_change_a_date_s_standards(client, world, who, status):
    surgery_date = world["date"]
    surgery_date.practice_standards = ["S4"]
    db.session.commit()
    sign_in(client, world[who])
    url = f"/surgeries/manage/dates/{surgery_date.id}/standards"
    assert client.get(url).status_code == status
    assert client.post(url, data={"practice_standards": ["S1"]}).status_code == status
    db.session.expire_all()
    assert surgery_date.practice_standards == ["S4"] and _audits("surgery.date.standards") == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get(f"/surgeries/manage/dates/{world['date'].id}/standards")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("data, message", [
    ({"practice_substandards": "3.4, 9.9"}, 'There is no practice standard "9.9"'),
    ({"practice_substandards": "S4"}, "Tick whole standards above; enter only sub-standard numbers here, like 4.2"),
    ({"practice_substandards": "1" * 301}, "Enter at most 300 characters of sub-standard numbers"),
    ({"practice_standards": ["S9"]}, "not a valid choice"),
])
def test_bad_codes_for_a_date_are_refused_with_the_error_summary_and_nothing_saved(client, world, data, message):
    surgery_date = world["date"]
    surgery_date.practice_standards = ["S4"]
    db.session.commit()
    sign_in(client, world["organiser"])
    response = client.post(f"/surgeries/manage/dates/{surgery_date.id}/standards",
                           data={"practice_standards": ["S1"], **data})
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "There is a problem" in body and "govuk-error-summary" in body and message in body
    assert "<title>Error: " in body
    db.session.expire_all()
    assert surgery_date.practice_standards == ["S4"] and _audits("surgery.date.standards") == 0


# --- Themes --------------------------------------------------------------------------------------------------

def test_the_organiser_tags_a_theme_on_the_settings_pages_and_bookers_see_it_where_they_pick_a_theme(client, world):
    sign_in(client, world["organiser"])
    settings = text_of(client.get("/surgeries/mtc/settings"))
    assert "Practice standards of each theme" in settings
    assert "Change the practice standards of “General practice discussion”" in settings
    form = client.get("/surgeries/mtc/settings/themes/legal-cafcass")
    assert form.status_code == 200
    assert "Have you experienced difficulties with legal backing an EP care planning decision" in text_of(form)
    saved = client.post("/surgeries/mtc/settings/themes/legal-cafcass",
                        data={"practice_standards": ["S2"], "practice_substandards": "3.4"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/surgeries/mtc/settings#themes")
    page = client.get("/surgeries/mtc/settings")
    assert "Practice standards saved for “Have you experienced difficulties" in text_of(page)
    assert re.search(r"CAFCASS\?\s*</dt>\s*<dd class=\"govuk-summary-list__value\">\s*S2, 3.4",
                     page.get_data(as_text=True))
    assert theme_standards(world["programme"]) == {"legal-cafcass": ("S2", "3.4")}
    assert theme_standards(world["other"]) == {}  # per programme

    sign_in(client, world["practitioner"])
    slot = world["date"].slots[0]
    booking_page = client.get(f"/surgeries/slots/{slot.id}/book").get_data(as_text=True)
    hint = re.search(r'id="theme-6-item-hint"[^>]*>\s*([^<]+?)\s*<', booking_page)
    assert hint and hint.group(1) == "Relates to S2, 3.4"
    assert booking_page.count("Relates to") == 1  # the untagged themes have no hint
    waitlist_page = client.get(f"/surgeries/dates/{world['date'].id}/waitlist").get_data(as_text=True)
    assert "Relates to S2, 3.4" in waitlist_page


def test_changing_a_theme_s_tags_keeps_one_row_and_the_other_themes(client, world):
    programme = world["programme"]
    set_theme_standards(world["organiser"], programme, "reflect", ["S8"])
    set_theme_standards(world["organiser"], programme, "general", ["1.1"])
    db.session.commit()
    sign_in(client, world["organiser"])
    assert client.post("/surgeries/mtc/settings/themes/reflect",
                       data={"practice_substandards": "8.2"}).status_code == 302
    assert theme_standards(programme) == {"reflect": ("8.2",), "general": ("1.1",)}
    assert db.session.execute(select(func.count(SurgeryThemeStandard.id))).scalar_one() == 2
    assert client.post("/surgeries/mtc/settings/themes/reflect", data={}).status_code == 302
    assert theme_standards(programme) == {"general": ("1.1",)}  # cleared: no hint any more
    assert _audits("surgery.theme.standards") == 4


@pytest.mark.parametrize("who, status", [("facilitator", 403), ("other_organiser", 403), ("practitioner", 403)])
def test_only_the_programme_s_organisers_tag_its_themes(client, world, who, status):
    sign_in(client, world[who])
    assert client.get("/surgeries/mtc/settings/themes/general").status_code == status
    assert client.post("/surgeries/mtc/settings/themes/general",
                       data={"practice_standards": ["S1"]}).status_code == status
    assert theme_standards(world["programme"]) == {}


@pytest.mark.parametrize("theme", ["nonsense", "GENERAL", "x" * 5000, "general%00"])
def test_an_unknown_theme_is_not_found(client, world, theme):
    sign_in(client, world["organiser"])
    assert client.get(f"/surgeries/mtc/settings/themes/{theme}").status_code in (400, 404)
    assert client.post(f"/surgeries/mtc/settings/themes/{theme}", data={}).status_code in (400, 404)


def test_bad_codes_for_a_theme_are_refused_with_the_error_summary_and_nothing_saved(client, world):
    set_theme_standards(world["organiser"], world["programme"], "general", ["S1"])
    db.session.commit()
    sign_in(client, world["organiser"])
    response = client.post("/surgeries/mtc/settings/themes/general",
                           data={"practice_standards": ["S2"], "practice_substandards": "2.1, 12.12"})
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "There is a problem" in body
    assert 'There is no practice standard "12.12"' in body and 'href="#practice_substandards"' in body
    assert theme_standards(world["programme"]) == {"general": ("S1",)}
    assert _audits("surgery.theme.standards") == 1


# --- CPD drafts and the finder ---------------------------------------------------------------------------------

def test_a_cpd_draft_of_an_attended_surgery_has_the_date_s_and_the_booked_theme_s_standards(world, frozen):
    programme, surgery_date = world["programme"], world["date"]
    surgery_date.practice_standards = ["S1"]
    set_theme_standards(world["organiser"], programme, "legal-cafcass", ["S2", "1.1", "3.4"])
    set_theme_standards(world["organiser"], world["other"], "general", ["S7"])  # another programme's theme
    other_person = factories.user(email="sam@example.org")
    mine, _ = book_slot(surgery_date.slots[0], world["practitioner"], "legal-cafcass", now=NOW)
    theirs, _ = book_slot(surgery_date.slots[1], other_person, "general", now=NOW)
    db.session.commit()
    frozen.move_to(datetime(2026, 12, 16, 12, 45, tzinfo=UTC))
    record_attendance(world["facilitator"], surgery_date, {mine.id: Attendance.ATTENDED,
                                                           theirs.id: Attendance.ATTENDED})
    db.session.commit()
    assert create_cpd_drafts() == 2
    drafts = {r.user_id: r.practice_standards for r in db.session.execute(select(CpdRecord)).scalars()}
    assert drafts == {world["practitioner"].id: ["S1", "S2", "1.1", "3.4"], other_person.id: ["S1"]}


def test_the_finder_finds_a_surgery_date_by_a_standard_its_programme_s_themes_are_tagged_with(client, world):
    factories.surgery_date(world["other"], day=date(2026, 12, 17), now=NOW, teams_url=TEAMS)
    set_theme_standards(world["organiser"], world["programme"], "assessing-adopter", ["4.2"])
    db.session.commit()
    mtc = "Practice surgery: Wednesday 16 December 2026 – AM"
    other = "Practice surgery: Thursday 17 December 2026 – AM"
    for query, expected in [("standard=4.2", [mtc]), ("standard=S4", [mtc]), ("standard=S5", []), ("", [mtc, other])]:
        page = text_of(client.get(f"/events?{query}"))
        assert [title for title in (mtc, other) if title in page] == expected, query


def test_the_demo_programme_has_tagged_themes_that_bookers_see(client, app):
    load_demo_data()
    db.session.commit()
    programme = db.session.execute(select(Programme).where(Programme.slug == "mtc-surgeries")).scalar_one()
    tagged = theme_standards(programme)
    assert tagged["family-finding"] == ("S4",) and "general" not in tagged
    slot = db.session.execute(
        select(SurgerySlot).join(SurgeryDate, SurgerySlot.surgery_date_id == SurgeryDate.id)
        .where(SurgeryDate.programme_id == programme.id, SurgerySlot.starts_at > NOW,
               SurgeryDate.status == SurgeryDateStatus.PUBLISHED,
               SurgerySlot.id.not_in(select(SurgeryBooking.held_slot_id).where(SurgeryBooking.held_slot_id.is_not(None))))
        .order_by(SurgerySlot.starts_at.desc()).limit(1)).scalar_one()
    sign_in(client, factories.user(email="booker@example.org"))
    page = text_of(client.get(f"/surgeries/slots/{slot.id}/book"))
    assert "Relates to S4" in page
