"""Adoption England's aggregate counts only shared, completed assessments (each agency's latest), per sub-standard
and region; never comments, actions or agency names; downloads as CSV."""

import csv
import io
from datetime import timedelta

import pytest

from ep_events.accounts.models import Role
from ep_events.assessments.aggregate import aggregate_ratings
from ep_events.assessments.assessments import EntryInput, set_sharing, start_assessment
from ep_events.extensions import db
from tests import factories
from tests.assessments.conftest import NOW, build_world, completed, rate_all
from tests.conftest import sign_in


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_only_shared_completed_latest_assessments_are_counted_by_region(world):
    # The agency (West Midlands): an older shared one (1.1 red), then its latest shared one (1.1 amber).
    completed(world, overrides={"1.1": EntryInput(rating="red")}, shared=True, now=NOW - timedelta(days=400))
    completed(world, overrides={"1.1": EntryInput(rating="amber", comments="Secret comment")}, shared=True, now=NOW)
    # Another West Midlands agency: completed but not shared.
    hidden = factories.organisation(name="Hidden Adoption", region="West Midlands")
    hidden_admin = factories.user(organisation=hidden, roles=[(Role.AGENCY_ADMIN, hidden)])
    completed(world, actor=hidden_admin, organisation=hidden, rating="red", shared=False)
    # The other agency (East Midlands): shared, 1.1 red; and one in progress marked shared (not counted).
    completed(world, actor=world.other_admin, organisation=world.other_agency, overrides={
        "1.1": EntryInput(rating="red")}, shared=True)
    in_progress = start_assessment(world.other_admin, world.other_agency)
    rate_all(world.other_admin, in_progress, rating="red")
    set_sharing(world.other_admin, in_progress, True)
    db.session.commit()

    result = aggregate_ratings()
    assert result.agencies == 2 and result.regions == ["East Midlands", "West Midlands"]
    west, east = result.counts["1.1"]["West Midlands"], result.counts["1.1"]["East Midlands"]
    assert (west.red, west.amber, west.green) == (0, 1, 0)
    assert (east.red, east.amber, east.green) == (1, 0, 0)
    total = result.totals["1.2"]
    assert (total.red, total.amber, total.green) == (0, 0, 2)
    only_west = aggregate_ratings("West Midlands")
    assert only_west.agencies == 1 and only_west.regions == ["West Midlands"]


def test_the_page_and_csv_show_counts_and_nothing_an_agency_wrote(client, world):
    completed(world, overrides={"1.1": EntryInput(rating="amber", comments="=HYPERLINK(\"x\") secret",
                                                  action="Secret action")}, shared=True)
    sign_in(client, world.ae_organiser)
    page = _text(client.get("/self-assessments/aggregate"))
    assert "share it: 1 agency." in page and "0 red, 1 amber, 0 green" in page
    assert "secret" not in page.lower() and "Adoption Central Midlands" not in page
    response = client.get("/self-assessments/aggregate.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Standard", "Sub-standard", "Region", "Agencies red", "Agencies amber", "Agencies green",
                       "Agencies sharing"]
    assert ["S1", "1.1", "West Midlands", "0", "1", "0", "1"] in rows
    assert ["S1", "1.1", "All regions", "0", "1", "0", "1"] in rows
    assert ["S2", "2.10", "All regions", "0", "0", "1", "1"] in rows  # numbers as written, 2.10 not 2.1
    assert len(rows) == 1 + 70 * 2
    assert "secret" not in response.data.decode("utf-8-sig").lower()
    by_region = client.get("/self-assessments/aggregate.csv?region=East+Midlands").data.decode("utf-8-sig")
    assert "West Midlands" not in by_region


def test_stopping_sharing_takes_an_agency_out_of_the_aggregate(world):
    assessment = completed(world, shared=True)
    assert aggregate_ratings().agencies == 1
    set_sharing(world.admin, assessment, False)
    db.session.commit()
    assert aggregate_ratings().agencies == 0


@pytest.mark.postgres
def test_the_aggregate_counts_the_same_on_postgresql(pg_app):
    world = build_world()
    completed(world, overrides={"1.1": EntryInput(rating="red")}, shared=True, now=NOW - timedelta(days=400))
    completed(world, overrides={"1.1": EntryInput(rating="amber")}, shared=True, now=NOW)
    completed(world, actor=world.other_admin, organisation=world.other_agency, rating="red", shared=True)
    result = aggregate_ratings()
    assert result.agencies == 2
    west, east = result.counts["1.1"]["West Midlands"], result.counts["1.1"]["East Midlands"]
    assert (west.red, west.amber, east.red) == (0, 1, 1)


def test_a_site_operator_marks_adoption_englands_programme_from_the_command_line(app, client, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["assessments", "aggregate-programme", world.other_programme.slug])
    assert result.exit_code == 0 and "its organisers see the shared ratings" in result.output
    sign_in(client, world.organiser)
    assert client.get("/self-assessments/aggregate").status_code == 200
    result = runner.invoke(args=["assessments", "aggregate-programme", world.other_programme.slug, "--off"])
    assert result.exit_code == 0
    assert client.get("/self-assessments/aggregate").status_code == 404
    missing = runner.invoke(args=["assessments", "aggregate-programme", "no-such-programme"])
    assert missing.exit_code != 0 and "There is no programme 'no-such-programme'" in missing.output
