"""A programme using Microsoft Graph gets its Teams meeting made on publishing; a Graph failure never
stops the date being published and booked, and the organiser is told."""

import pytest

from ep_events.extensions import db
from ep_events.surgeries.bookings import book_slot
from ep_events.surgeries.dates import publish_surgery_date, set_teams_url
from tests import factories
from tests.fake_graph import CLIENT_ID, JOIN_URL, ORGANISER, SECRET, TENANT, Answer


@pytest.fixture
def graph_programme(app, graph):
    app.config.update(TEAMS_GRAPH_TENANT_ID=TENANT, TEAMS_GRAPH_CLIENT_ID=CLIENT_ID,
                      TEAMS_GRAPH_CLIENT_SECRET=SECRET, TEAMS_GRAPH_ORGANISER_ID=ORGANISER,
                      TEAMS_GRAPH_AUTHORITY_URL=graph.url, TEAMS_GRAPH_URL=f"{graph.url}/v1.0")
    programme = factories.surgery_programme(teams_provider="graph", contact_email="organisers@example.org")
    return programme


def test_publishing_creates_the_teams_meeting_with_graph(graph_programme, graph):
    surgery_date = factories.surgery_date(graph_programme, days_ahead=10, publish=False)
    assert publish_surgery_date(None, surgery_date) is None
    assert surgery_date.teams_url == JOIN_URL
    assert surgery_date.status.value == "published"
    assert not graph.problems


@pytest.mark.parametrize("answer", [
    Answer(403, {"error": {"code": "Forbidden", "message": "Application is not allowed"}}),
    Answer(503, {"error": {"code": "ServiceUnavailable", "message": "Try later"}}),
])
def test_when_graph_fails_the_date_is_still_published_and_bookable_and_the_organiser_is_told(
        graph_programme, graph, deliver, answer):
    graph.meeting_answers.append(answer)
    surgery_date = factories.surgery_date(graph_programme, days_ahead=10, publish=False)
    problem = publish_surgery_date(None, surgery_date)
    assert problem and "Set the joining link by hand" in problem
    assert surgery_date.status.value == "published" and surgery_date.teams_url == ""
    booking, created = book_slot(surgery_date.slots[0], factories.user(), "general")
    assert created
    db.session.commit()
    told = [m for m in deliver() if m.recipients == ["organisers@example.org"]]
    assert told and told[0].subject.startswith("Set the Teams link by hand")
    assert set_teams_url(None, surgery_date, JOIN_URL) == 1
