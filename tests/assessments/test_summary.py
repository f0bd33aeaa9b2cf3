"""The summary: red/amber/green per standard as a chart (server-drawn SVG, labelled) with the same figures in a
table; what to book next (the toolkit's resources and published events to come tagged with the sub-standard or
its standard); actions due in 14 days on the home page, overdue ones marked."""

from datetime import date, timedelta

from freezegun import freeze_time

from ep_events.assessments.assessments import EntryInput, start_assessment
from ep_events.assessments.summary import chart_svg, rating_counts
from ep_events.extensions import db
from tests import factories
from tests.assessments.conftest import NOW, completed, rate_all
from tests.conftest import sign_in


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _tagged_surgery(programme, days: int, tags, publish=True):
    day = (NOW + timedelta(days=days)).date()
    event = factories.surgery_date(programme, day=day, now=NOW, publish=publish)
    event.practice_standards = list(tags)
    db.session.flush()
    return event


WEAK = {"1.1": EntryInput(rating="red"), "1.2": EntryInput(rating="amber"), "4.2": EntryInput(rating="red")}


@freeze_time(NOW)
def test_counts_per_standard_show_as_a_labelled_chart_and_a_table(client, world):
    assessment = completed(world, overrides=WEAK)
    counts = {c.standard.code: (c.red, c.amber, c.green, c.unrated) for c in rating_counts(assessment)}
    assert counts["S1"] == (1, 1, 7, 0) and counts["S4"] == (1, 0, 10, 0) and counts["S8"] == (0, 0, 8, 0)
    sign_in(client, world.admin)
    page = _text(client.get(f"/self-assessments/{assessment.id}/summary"))
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="app-rag-chart"' in page and 'role="img"' in page
    assert '<title id="rag-chart-title">Ratings per standard</title>' in page
    assert "S1: 1 red, 1 amber, 7 green; S2: 0 red, 0 amber, 10 green" in page  # the chart's description
    row = page.split("S1: Principles underpinning effective delivery of early permanence to children who may be "
                     "adopted</th>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:4]] == ["1", "1", "7", "0"]


def test_the_chart_of_an_assessment_just_started_shows_every_sub_standard_not_rated(world):
    assessment = start_assessment(world.admin, world.agency)
    svg = str(chart_svg(rating_counts(assessment)))
    assert "S4: 0 red, 0 amber, 0 green, 11 not rated" in svg and svg.count("<rect") == 4 + 8


@freeze_time(NOW)
def test_what_to_book_next_lists_resources_and_tagged_events_to_come_for_red_and_amber(client, world):
    assessment = completed(world, overrides=WEAK)
    surgeries = factories.surgery_programme(slug="mtc", name="MTC surgeries")
    for_1_1 = _tagged_surgery(surgeries, 10, ["1.1"])
    for_s1 = _tagged_surgery(surgeries, 20, ["S1"])
    _tagged_surgery(surgeries, 30, ["1.1"], publish=False)  # a draft: not suggested
    _tagged_surgery(surgeries, 40, ["5.1"])  # rated green: not suggested
    past = _tagged_surgery(surgeries, 15, ["4.2"])
    past.starts_at, past.ends_at = NOW - timedelta(days=3), NOW - timedelta(days=3) + timedelta(hours=3)
    db.session.commit()
    sign_in(client, world.admin)
    page = _text(client.get(f"/self-assessments/{assessment.id}/summary"))
    section = page.split('id="what-to-book-next"')[1]
    # Red first (1.1, 4.2), then amber (1.2).
    assert section.index("1.1 (red)") < section.index("4.2 (red)") < section.index("1.2 (amber)")
    first = section.split("1.1 (red)")[1].split("4.2 (red)")[0]
    assert first.count("Practice surgery:") == 2
    assert f'/surgeries/mtc/dates/{for_1_1.id}' in first or f"{for_1_1.id}" in first
    assert "EP Good Practice Guide" in first  # the toolkit's resources
    s42 = section.split("4.2 (red)")[1].split("1.2 (amber)")[0]
    assert "No events to come address it yet." in s42  # its only event is past
    amber = section.split("1.2 (amber)")[1]
    assert amber.count("Practice surgery:") == 1 and for_s1.id  # tagged with the standard S1
    assert "(green)" not in section


def test_actions_due_in_14_days_are_on_the_home_page_and_overdue_ones_are_marked(client, world):
    today = date(2027, 3, 1)
    assessment = start_assessment(world.admin, world.agency)
    rate_all(world.admin, assessment, overrides={
        "1.1": EntryInput(rating="red", action="Write the EP pathway", action_owner_role="Team manager",
                          action_due_on=today + timedelta(days=14)),
        "2.3": EntryInput(rating="red", action="Agree ADM report template", action_due_on=today - timedelta(days=2)),
        "3.1": EntryInput(rating="amber", action="Recruitment review", action_due_on=today + timedelta(days=15)),
    })
    db.session.commit()
    with freeze_time(NOW):
        sign_in(client, world.delegate)
        page = _text(client.get("/"))
    panel = page.split("Practice standards self-assessment</h2>")[1].split("</ul>")[0]
    assert "Actions due in the next 14 days, and overdue:" in panel
    assert panel.index("2.3: Agree ADM report template") < panel.index("1.1: Write the EP pathway")
    overdue = panel.split("<li")[1]
    assert "Overdue" in overdue and "2.3" in overdue and "app-overdue" in overdue
    assert "owner: Team manager), due 15 March 2027" in panel and "Recruitment review" not in panel
    with freeze_time(NOW):
        client.post("/sign-out")
        sign_in(client, world.other_admin)
        assert "Write the EP pathway" not in _text(client.get("/"))


def test_actions_of_an_assessment_carried_on_as_a_copy_are_listed_once(client, world):
    first = completed(world, overrides={"1.1": EntryInput(rating="red", action="Write the EP pathway",
                                                          action_due_on=date(2027, 3, 5))})
    with freeze_time(NOW):
        sign_in(client, world.admin)
        client.post(f"/self-assessments/{first.id}/copy")
        assert _text(client.get("/")).count("Write the EP pathway") == 1
