"""Friendly error pages: plain words, the service's look, and nothing half-saved."""

from flask import abort
from sqlalchemy import func, select

from ep_events.extensions import db
from ep_events.organisations.models import Organisation, OrganisationKind
from tests import factories
from tests.conftest import sign_in


def test_a_signed_in_person_without_the_role_gets_a_friendly_403(client):
    person = factories.user()
    db.session.commit()
    sign_in(client, person)
    response = client.get("/admin/")
    body = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "You do not have permission to see this page" in body
    assert "<title>You do not have permission to see this page – EP Events</title>" in body


def test_a_crash_shows_a_friendly_500_and_saves_nothing(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/test-crash")
    def crash():
        db.session.add(Organisation(name="Half saved", kind=OrganisationKind.OTHER, region="London"))
        db.session.flush()
        raise RuntimeError("boom")

    @app.route("/test-bad-request")
    def bad_request():
        abort(400)

    client = app.test_client()
    response = client.get("/test-crash")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body and "boom" not in body
    assert db.session.execute(select(func.count(Organisation.id))).scalar_one() == 0
    bad = client.get("/test-bad-request")
    assert bad.status_code == 400 and "Sorry, there is a problem with your request" in bad.get_data(as_text=True)


def test_the_wrong_method_gets_a_friendly_405(client):
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "Sorry, that action is not available" in response.get_data(as_text=True)
