"""The dashboard pages: who may see them, what they show (and never show), CSV downloads, bad input, and
statements per page that do not grow with the data."""

import csv
import io
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import event

from ep_events.accounts.models import Role
from ep_events.bookings.models import Attendance
from ep_events.extensions import db
from tests import factories
from tests.conftest import sign_in
from tests.dashboards.conftest import COMMENT, OUTLINE, REASON, REFLECTION, _booking, _surgery_date

PAGES = ["/dashboards/mtc", "/dashboards/psd", "/dashboards/coram-network"]


def sign_in_fresh(client, person):
    """Another browser, signed in as `person`."""
    other = client.application.test_client()
    sign_in(other, person)
    return other


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_anonymous_visitors_are_asked_to_sign_in(world, client):
    for path in ["/dashboards", "/dashboards/mtc", "/dashboards/mtc/summary.csv"]:
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", ["practitioner", "facilitator", "agency_admin", "other_organiser"])
def test_people_who_do_not_organise_the_programme_get_403(world, client, role):
    person = {"practitioner": world.c1, "facilitator": world.mtc_facilitator, "agency_admin": world.alpha_admin,
              "other_organiser": world.psd_organiser}[role]
    sign_in(client, person)
    for path in ["/dashboards/mtc", "/dashboards/mtc/summary.csv"]:
        assert client.get(path).status_code == 403
    assert client.get("/dashboards").status_code == (200 if role == "other_organiser" else 403)


def test_an_organiser_sees_only_their_programmes_in_the_list(world, client):
    sign_in(client, world.psd_organiser)
    page = _text(client.get("/dashboards"))
    assert "P&amp;SD workshops" in page and "MTC practice surgeries" not in page


def test_a_site_admin_sees_every_dashboard(world, client):
    sign_in(client, world.admin)
    page = _text(client.get("/dashboards"))
    assert all(name in page for name in ("MTC practice surgeries", "P&amp;SD workshops", "Coram EP Network Days"))
    for path in PAGES:
        assert client.get(path).status_code == 200


def test_an_unknown_programme_is_not_found(world, client):
    sign_in(client, world.admin)
    assert client.get("/dashboards/no-such-programme").status_code == 404
    assert client.get("/dashboards/mtc/no-such-table.csv").status_code == 404
    assert client.get("/dashboards/mtc/income.csv").status_code == 404  # Network Days only


def test_the_organiser_sees_the_figures_chart_and_table_and_no_free_text(world, client):
    sign_in(client, world.mtc_organiser)
    page = _text(client.get("/dashboards/mtc"))
    assert "Events from 1 April 2026 to 31 March 2027" in page
    assert '<svg class="app-chart" role="img"' in page and "<title id=\"chart-regions-title\">" in page
    assert "West Midlands: 4." in page  # the chart's description carries its numbers
    assert "Tuesday 8 September 2026 – PM" in page
    assert "dist/print.css" in page
    for secret in (OUTLINE, REASON, COMMENT, REFLECTION):
        assert secret not in page
    admin = sign_in_fresh(client, world.admin)
    for path in ["/dashboards/psd", "/dashboards/coram-network"]:
        other = admin.get(path)
        assert other.status_code == 200
        for secret in (OUTLINE, REASON, COMMENT, REFLECTION):
            assert secret not in _text(other)
    assert "£750.00" in _text(admin.get("/dashboards/coram-network"))
    assert "4.5" in _text(admin.get("/dashboards/psd"))


def test_each_table_downloads_as_csv_with_the_filters_and_formulas_neutralised(world, client):
    sign_in(client, world.mtc_organiser)
    query = urlencode([("from", "1"), ("from", "4"), ("from", "2026"), ("to", "31"), ("to", "3"), ("to", "2027"),
                       ("kind", "local_authority")])
    response = client.get(f"/dashboards/mtc/follow-up.csv?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "mtc-follow-up-2026-04-01-to-2027-03-31.csv" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert table == [["Organisation", "Kind", "Region", "Last had a place"],
                     ["'=Delta Council", "Local authority", "North East", "Never"]]
    events = list(csv.reader(io.StringIO(client.get("/dashboards/mtc/events.csv").get_data().decode("utf-8-sig"))))
    assert len(events) == 5 and events[1][:6] == ["Tuesday 12 May 2026 – AM", "Practice surgery", "Published",
                                                  "3", "2", "67%"]
    for name in ("summary", "cancellations", "waiting-list", "sessions", "themes", "standards", "reach",
                 "regions", "agencies"):
        assert client.get(f"/dashboards/mtc/{name}.csv").status_code == 200, name


def _dates(first: date, last: date) -> list[tuple[str, str]]:
    return [("from", str(first.day)), ("from", str(first.month)), ("from", str(first.year)),
            ("to", str(last.day)), ("to", str(last.month)), ("to", str(last.year))]


@pytest.mark.parametrize("query, message", [
    (_dates(date(2027, 3, 31), date(2026, 4, 1)), "The ‘to’ date must be the same as or after the ‘from’ date"),
    (_dates(date(2000, 1, 1), date(2099, 12, 31)), "Choose a range of 10 years or less"),
    ([("region", "Atlantis")], "Choose a region from the list"),
    ([("kind", "spaceship")], "Choose a kind of organisation from the list"),
    ([("from", "31"), ("from", "2"), ("from", "2026")], "Enter a real date"),
    ([("from", "1")] * 1000, "Enter a real date"),
])
def test_bad_filters_get_a_clear_message(world, client, query, message):
    sign_in(client, world.mtc_organiser)
    for path in ["/dashboards/mtc", "/dashboards/mtc/summary.csv"]:
        response = client.get(f"{path}?{urlencode(query)}")
        assert response.status_code == 400
        page = _text(response)
        assert "There is a problem" in page and message in page
        assert "Events and places" not in page


def test_odd_pages_and_repeated_filters_show_a_page_or_an_empty_result(world, client):
    sign_in(client, world.mtc_organiser)
    assert client.get("/dashboards/mtc?page=-1").status_code == 200
    assert client.get(f"/dashboards/mtc?page={2**63}").status_code == 200
    response = client.get("/dashboards/mtc?page=3")
    assert response.status_code == 200 and "There are no more events in this range" in _text(response)
    response = client.get("/dashboards/mtc?" + urlencode([("region", "London")] * 1000))
    assert response.status_code == 200 and "in London" in _text(response)


# --- Statements per page -------------------------------------------------------------------------------

def _statements(client, path: str) -> int:
    client.get(path)  # warm-up
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def _grow(world) -> None:
    """Ten times the surgery data, and more agencies, places and feedback everywhere."""
    people = [factories.user(organisation=factories.organisation(region="London")) for _ in range(12)]
    for n in range(30):
        day = date(2026, 4, 7) + timedelta(days=7 * n)
        surgery_date = _surgery_date(world.mtc, day, tags=("S3", "3.1"))
        for slot, person in zip(surgery_date.slots, people[n % 4::4], strict=False):
            _booking(slot, person, "reflect", Attendance.ATTENDED)
    db.session.commit()


def test_statements_per_dashboard_do_not_grow_with_the_data(world, client):
    sign_in(client, world.admin)
    paths = PAGES + ["/dashboards/mtc/events.csv", "/dashboards/mtc/follow-up.csv"]
    small = {path: _statements(client, path) for path in paths}
    _grow(world)
    assert {path: _statements(client, path) for path in paths} == small


def test_a_manage_page_links_to_the_dashboard(world, client):
    sign_in(client, world.mtc_organiser)
    assert 'href="/dashboards/mtc"' in _text(client.get("/manage"))
    facilitator = sign_in_fresh(client, world.mtc_facilitator)
    assert 'href="/dashboards/mtc"' not in _text(facilitator.get("/manage"))


def test_a_draft_programme_dashboard_is_for_its_organisers(world, client):
    draft = factories.programme(slug="draft-programme", status=factories.ProgrammeStatus.DRAFT)
    organiser = factories.user(roles=[(Role.ORGANISER, draft)])
    db.session.commit()
    sign_in(client, organiser)
    assert client.get("/dashboards/draft-programme").status_code == 200
    other = sign_in_fresh(client, world.mtc_organiser)
    assert other.get("/dashboards/draft-programme").status_code == 403


@pytest.mark.postgres
def test_every_dashboard_and_csv_on_postgresql(pg_app, pg_world):
    client = pg_app.test_client()
    sign_in(client, pg_world.admin)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200 and "Download ‘Reach by region’ as CSV" in _text(response)
    assert "£250.00" in _text(client.get("/dashboards/coram-network/income.csv"))
    assert client.get("/dashboards/mtc?" + urlencode([("from", "1")] * 1000)).status_code == 400
