"""A new programme is a draft that only site admins and its organisers see, until an admin publishes it."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from ep_events import create_app
from ep_events.accounts.models import Role
from ep_events.core.audit import AuditEntry
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from ep_events.programmes.models import Programme, ProgrammeStatus
from ep_events.surgeries.bookings import book_slot
from tests import factories
from tests.conftest import sign_in

PROGRAMME_FORM = {"name": "Hidden surgeries", "slug": "hidden", "kind": "practice_surgeries",
                  "contact_email": "hidden@example.org", "description": "Not ready yet."}


@pytest.fixture
def draft(app):
    """A draft surgery programme with a published date, its organiser, a facilitator, an admin and a practitioner."""
    programme = factories.surgery_programme(slug="hidden", name="Hidden surgeries", status=ProgrammeStatus.DRAFT)
    surgery_date = factories.surgery_date(programme, days_ahead=10)
    people = {"admin": factories.admin(), "organiser": factories.user(roles=[(Role.ORGANISER, programme)]),
              "facilitator": factories.user(roles=[(Role.FACILITATOR, programme)]),
              "practitioner": factories.user(),
              "other_organiser": factories.user(roles=[(Role.ORGANISER, factories.surgery_programme())])}
    db.session.commit()
    return programme, surgery_date, people


def test_a_programme_an_admin_creates_starts_as_a_draft(app, client):
    admin = factories.admin()
    db.session.commit()
    sign_in(client, admin)
    response = client.post("/admin/programmes/new", data=PROGRAMME_FORM, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "It is a draft: only site admins and its organisers can see it until you publish it." in body
    programme = db.session.execute(db.select(Programme)).scalar_one()
    assert programme.status is ProgrammeStatus.DRAFT
    assert "Draft" in body


def test_a_draft_is_hidden_from_everyone_but_admins_and_its_organisers(app, draft):
    programme, surgery_date, people = draft
    anonymous = app.test_client()
    assert "Hidden surgeries" not in anonymous.get("/").get_data(as_text=True)
    assert anonymous.get("/surgeries/hidden").status_code == 404
    for who in ("practitioner", "facilitator", "other_organiser"):
        client = app.test_client()
        sign_in(client, people[who])
        assert "Hidden surgeries" not in client.get("/").get_data(as_text=True), who
        assert client.get("/surgeries/hidden").status_code == 404, who
    for who in ("admin", "organiser"):
        client = app.test_client()
        sign_in(client, people[who])
        home = client.get("/").get_data(as_text=True)
        assert "Hidden surgeries" in home and "Draft: only admins and its organisers see it" in home, who
        picker = client.get("/surgeries/hidden")
        assert picker.status_code == 200 and surgery_date.label in picker.get_data(as_text=True), who


def test_a_drafts_dates_are_not_in_the_public_api_or_feed(app, client, draft):
    programme, surgery_date, _ = draft
    assert client.get("/api/v1/events").get_json() == []
    assert client.get(f"/api/v1/events/surgery-date-{surgery_date.id}").status_code == 404
    assert client.get("/api/v1/events?programme=hidden").status_code == 400
    assert client.get("/programmes/hidden/events.ics").status_code == 404


def test_nobody_can_book_a_slot_of_a_draft_programme(app, draft):
    _, surgery_date, people = draft
    with pytest.raises(DomainError, match="This slot is not available"):
        book_slot(surgery_date.slots[0], people["practitioner"], "general")


def test_an_admin_publishes_a_draft_and_everyone_sees_it(app, client, draft):
    programme, surgery_date, people = draft
    sign_in(client, people["admin"])
    form = client.get(f"/admin/programmes/{programme.id}").get_data(as_text=True)
    assert "Draft: only site admins and its organisers" in form
    response = client.post(f"/admin/programmes/{programme.id}", data=PROGRAMME_FORM | {"status": "published"})
    assert response.status_code == 302
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "programme.publish")).scalar_one()
    assert entry.summary == "Published Hidden surgeries"
    anonymous = app.test_client()
    assert "Hidden surgeries" in anonymous.get("/").get_data(as_text=True)
    assert anonymous.get("/surgeries/hidden").status_code == 200
    assert [e["id"] for e in anonymous.get("/api/v1/events").get_json()] == [f"surgery-date-{surgery_date.id}"]
    assert anonymous.get("/programmes/hidden/events.ics").status_code == 200


def test_saving_a_programme_without_choosing_keeps_its_status(app, client, draft):
    programme, _, people = draft
    sign_in(client, people["admin"])
    assert client.post(f"/admin/programmes/{programme.id}", data=PROGRAMME_FORM).status_code == 302
    db.session.expire_all()
    assert programme.status is ProgrammeStatus.DRAFT


def test_programmes_that_existed_before_the_migration_stay_public(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(revision="2f19be6afd14")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO programme (name, slug, kind, contact_email, description, teams_provider, "
                              "created_at) VALUES ('Old', 'old', 'practice_surgeries', "
                              "'old@example.org', '', 'manual', '2026-01-01 00:00:00')"))
        upgrade(revision="6b1d0c4e9a21")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT status FROM programme WHERE slug = 'old'")).scalar_one() == "published"
        engine.dispose()
        db.engine.dispose()
