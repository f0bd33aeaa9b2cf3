"""Every figure of every dashboard on the world of conftest.py, against a count by hand, on SQLite and PostgreSQL.

The hand counts (the default range, 1 April 2026 – 31 March 2027):
surgeries: published dates 12 May (AM), 8 September (PM), 19 January (AM), 3 open slots each: 9 places offered;
16 June cancelled (its slots too); 7 July a draft; 10 February 2026 is the year before.
Places: 12 May a1 attended (general), b1 did not attend (legal), c1 cancelled by herself 10 days before;
8 September a2 attended (right plan), n1 attended (general), b1 cancelled by himself 2 days before;
19 January a1 not marked yet (general), c1 cancelled by the organiser 3 hours before;
16 June b1 cancelled by the organiser an hour after its start.
"""

import pytest

from ep_events.dashboards.filters import DashboardFilters, financial_year
from ep_events.dashboards.tables import build_table
from ep_events.organisations.models import OrganisationKind
from tests.dashboards.conftest import TODAY

YEAR = DashboardFilters(*financial_year(TODAY.date()))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_world(request):
    return request.getfixturevalue("world" if request.param == "sqlite" else "pg_world")


def rows(programme, name, filters=YEAR, **options):
    return build_table(programme, name, filters, today=TODAY.date(), **options).rows


def figures(programme, name, filters=YEAR):
    return dict((label, value) for label, value in rows(programme, name, filters))


def test_surgery_events_and_places(any_world):
    assert figures(any_world.mtc, "summary") == {
        "Events offered": 3, "Events cancelled by the organisers": 1, "Places offered": 9, "Places booked": 9,
        "Places taken (booked and not cancelled)": 5, "Places taken, as a share of places offered": "56%",
        "Attended": 3, "Did not attend": 1, "Attendance not marked yet": 1, "Places cancelled": 4,
        "Places cancelled by the person who booked": 2}


def test_surgery_cancellations_by_notice(any_world):
    assert figures(any_world.mtc, "cancellations") == {
        "More than 7 days before": 1, "1 to 7 days before": 1, "Under 24 hours before": 1, "After it started": 1}


def test_surgery_waiting_list_demand(any_world):
    # c1 waits for 8 September, n1's offer for 12 May expired; a2 got 8 September's place from the list.
    assert figures(any_world.mtc, "waiting-list") == {
        "Joined a waiting list": 3, "Given a place from the list": 1, "Still waiting or holding an offer": 1,
        "Never had a place on that event": 2, "People who never had a place on an event they waited for": 2}


def test_surgery_utilisation_per_date(any_world):
    assert rows(any_world.mtc, "events") == [
        ["Tuesday 12 May 2026 – AM", "Practice surgery", "Published", 3, 2, "67%", 1, 1, 1],
        ["Tuesday 16 June 2026 – AM", "Practice surgery", "Cancelled", 0, 0, "–", 0, 0, 0],
        ["Tuesday 8 September 2026 – PM", "Practice surgery", "Published", 3, 2, "67%", 2, 0, 1],
        ["Tuesday 19 January 2027 – AM", "Practice surgery", "Published", 3, 1, "33%", 0, 0, 0]]
    assert [r[0] for r in rows(any_world.mtc, "events", page=2)] == []


def test_surgery_utilisation_per_session(any_world):
    assert rows(any_world.mtc, "sessions") == [["AM", 6, 3, "50%", 1], ["PM", 3, 2, "67%", 2]]


def test_surgery_themes(any_world):
    found = figures(any_world.mtc, "themes")
    assert found["General practice discussion"] == 3
    assert found["Have you experienced difficulties with legal backing an EP care planning decision or with "
                 "CAFCASS?"] == 1
    assert found["Are you thinking about EP for a child but are not sure that it is the right plan?"] == 1
    assert sum(found.values()) == 5


def test_standards_on_events_and_in_reflections(any_world):
    # Events: 12 May S4 and 4.2, 8 September S4 (the cancelled date's S1 and the draft's S2 are not offered).
    # Complete reflections: a1 on 12 May S1 and S4, a2 on 8 September 4.2 (n1's draft S2 does not count).
    assert [[code, events, reflections] for code, _, events, reflections in rows(any_world.mtc, "standards")] == [
        ["S1", 0, 1], ["S4", 2, 1], ["4.2", 1, 1]]


def test_surgery_reach(any_world):
    assert rows(any_world.mtc, "regions")[:9] == [
        [region, *((2, 3, 4, 2) if region == "West Midlands" else (0, 0, 0, 0))]
        for region in ("North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
                       "East of England", "London", "South East", "South West")]
    assert rows(any_world.mtc, "regions")[9:] == [["Not known", 0, 1, 1, 1]]  # n1 has no organisation
    assert figures(any_world.mtc, "reach") == {
        "Organisations reached": 2, "Regions reached": 1, "Organisations taking part for the first time": 1,
        "Organisations that took part before": 1, "People reached": 4}
    assert rows(any_world.mtc, "agencies") == [
        ["Alpha RAA", "Regional adoption agency", "West Midlands", 2, 3, 2],
        ["Beta Council", "Local authority", "West Midlands", 1, 1, 0]]
    assert rows(any_world.mtc, "follow-up") == [
        ["Gamma VAA", "Voluntary adoption agency", "London", "Never"],
        ["=Delta Council", "Local authority", "North East", "Never"]]


def test_filters_by_region_and_kind(any_world):
    west_midlands = DashboardFilters(YEAR.first, YEAR.last, region="West Midlands")
    summary = figures(any_world.mtc, "summary", west_midlands)
    assert (summary["Places booked"], summary["Places taken (booked and not cancelled)"],
            summary["Places cancelled"], summary["Events offered"]) == (6, 4, 2, 3)
    local_authorities = DashboardFilters(YEAR.first, YEAR.last, kind=OrganisationKind.LOCAL_AUTHORITY)
    summary = figures(any_world.mtc, "summary", local_authorities)
    assert (summary["Places booked"], summary["Did not attend"], summary["Places cancelled"]) == (3, 1, 2)
    assert rows(any_world.mtc, "follow-up", local_authorities) == [
        ["=Delta Council", "Local authority", "North East", "Never"]]
    london = DashboardFilters(YEAR.first, YEAR.last, region="London")
    assert figures(any_world.mtc, "waiting-list", london)["Never had a place on that event"] == 1


def test_the_year_before_counts_alpha_as_first_time(any_world):
    before = DashboardFilters(*financial_year(TODAY.date().replace(year=2025)))
    assert figures(any_world.mtc, "summary", before)["Places taken (booked and not cancelled)"] == 1
    assert rows(any_world.mtc, "agencies", before) == [["Alpha RAA", "Regional adoption agency", "West Midlands",
                                                        1, 1, 1]]
    reach = figures(any_world.mtc, "reach", before)
    assert (reach["Organisations taking part for the first time"], reach["Organisations that took part before"]) \
        == (1, 0)
    # After the range, Alpha last had a place on 10 February 2026.
    later = DashboardFilters(*financial_year(TODAY.date().replace(year=2027)))
    assert ["Alpha RAA", "Regional adoption agency", "West Midlands", "Tuesday 19 January 2027"] in \
        rows(any_world.mtc, "follow-up", later)


def test_workshop_figures_and_feedback(any_world):
    summary = figures(any_world.psd, "summary")
    assert (summary["Events offered"], summary["Places offered"], summary["Places booked"],
            summary["Places taken (booked and not cancelled)"], summary["Attended"], summary["Places cancelled"],
            summary["Places cancelled by the person who booked"]) == (2, 30, 4, 3, 2, 1, 1)
    assert figures(any_world.psd, "cancellations")["More than 7 days before"] == 1
    assert rows(any_world.psd, "feedback") == [["Wednesday 10 June 2026", "Hope Boxes June", 2, "4.5", "3.5"]]
    table = build_table(any_world.psd, "feedback", YEAR, today=TODAY.date())
    assert table.footer == ["All workshops", "", 2, "4.5", "3.5"]
    london = DashboardFilters(YEAR.first, YEAR.last, region="London")
    assert rows(any_world.psd, "feedback", london) == [["Wednesday 10 June 2026", "Hope Boxes June", 1, "4.0", "3.0"]]
    assert [[c, e] for c, _, e, _ in rows(any_world.psd, "standards")] == [["S2", 1]]
    assert build_table(any_world.psd, "themes", YEAR) is None  # surgeries only


def test_network_memberships_places_and_income(any_world):
    # 2025: Alpha and Gamma; 2026: Alpha (renewed) and Beta (new); Gamma did not renew.
    assert rows(any_world.coram, "memberships") == [["1 April 2026 to 31 March 2027", 2, 1, 1, 1]]
    assert rows(any_world.coram, "network-days") == [
        ["Wednesday 20 May 2026", "Network Day May 2026", 2, 2, 1, "100%", 1, 1],
        ["Wednesday 25 November 2026", "Network Day November 2026", 2, 1, 1, "50%", 0, 0]]
    # Invoices issued in the range: Alpha's £150 paid; Beta's £150 with £50 paid, due 1 July (overdue); Gamma's
    # £150 due 30 October (owed, not yet due); Alpha's £300 of extra places, credited in full.
    assert figures(any_world.coram, "income") == {
        "Invoices issued": 4, "Invoiced": "£750.00", "Credited (credit notes)": "£300.00", "Paid": "£200.00",
        "Still owed": "£250.00", "Invoices overdue": 1, "Overdue": "£100.00"}
    # A Network Day place counts for the agency that holds it (Beta's unnamed place: no person).
    assert rows(any_world.coram, "agencies") == [
        ["Alpha RAA", "Regional adoption agency", "West Midlands", 2, 3, 1],
        ["Beta Council", "Local authority", "West Midlands", 0, 1, 0]]
    west_midlands_las = DashboardFilters(YEAR.first, YEAR.last, region="West Midlands",
                                         kind=OrganisationKind.LOCAL_AUTHORITY)
    assert figures(any_world.coram, "income", west_midlands_las)["Invoiced"] == "£150.00"
    assert rows(any_world.coram, "memberships", west_midlands_las) == [["1 April 2026 to 31 March 2027", 1, 0, 1, 0]]


def test_network_waiting_list_counts_for_the_agency_that_waits(any_world):
    assert figures(any_world.coram, "waiting-list")["Still waiting or holding an offer"] == 1
    west_midlands = DashboardFilters(YEAR.first, YEAR.last, region="West Midlands")  # Beta's region
    assert figures(any_world.coram, "waiting-list", west_midlands)["Never had a place on that event"] == 1
    london = DashboardFilters(YEAR.first, YEAR.last, region="London")  # where the person who asked works
    assert figures(any_world.coram, "waiting-list", london)["Joined a waiting list"] == 0
