
from ep_events.demo import load_demo_data
from ep_events.extensions import db


def test_home_page_says_what_the_service_is_and_lists_the_three_programmes(client):
    load_demo_data()
    body = client.get("/").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-xl\">Book Early Permanence practice events</h1>" in body
    for name in ("MTC Early Permanence practice surgeries", "Coram Early Permanence Network Days",
                 "Adoption England P&amp;SD workshops"):
        assert name in body


def test_pages_look_like_a_tidy_service_that_is_not_gov_uk(client):
    body = client.get("/").get_data(as_text=True)
    assert "govuk-generic-header" in body
    assert "govuk-phase-banner" in body
    assert "Crown copyright" not in body
    assert "govuk-footer__copyright-logo" not in body
    assert "<title>Book Early Permanence practice events – EP Events</title>" in body
    for link in ("/accessibility", "/privacy", "/cookies"):
        assert f'href="{link}"' in body


def test_footer_pages_exist(client):
    for path, heading in (("/accessibility", "Accessibility statement for EP Events"),
                          ("/privacy", "Privacy notice"), ("/cookies", "Cookies")):
        response = client.get(path)
        assert response.status_code == 200
        assert heading in response.get_data(as_text=True)


def test_stylesheet_uses_arial_not_gds_transport():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/dist/main.css").read_text()
    assert "GDS Transport" not in css
    assert "font-family:arial,sans-serif" in css


def test_security_headers_and_script_nonce(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp  # the inline script runs by its nonce alone
    nonce = csp.split("'nonce-")[1].split("'")[0]
    body = response.get_data(as_text=True)
    assert f'<script nonce="{nonce}">' in body
    assert body.count("<script") == body.count(f'nonce="{nonce}"') + body.count('type="module" src=')
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite_lax(client, app):
    from tests import factories
    from tests.conftest import sign_in

    user = factories.user()
    db.session.commit()
    response = sign_in(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_unknown_page_gets_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_readyz_reports_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_readyz_reports_503_when_the_database_is_unreachable_while_healthz_says_the_process_lives(
        tmp_path, smtp_server):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path}/missing-dir/nothing.db", smtp_server.port)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}
    alive = app.test_client().get("/healthz")
    assert alive.status_code == 200 and alive.get_json() == {"status": "ok"}


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    import pytest

    from ep_events import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_demo_data_is_idempotent(app):
    from sqlalchemy import func, select

    from ep_events.accounts.models import Grant, User
    from ep_events.organisations.models import Organisation
    from ep_events.programmes.models import Programme

    def counts():
        return [db.session.execute(select(func.count()).select_from(m)).scalar_one()
                for m in (User, Grant, Organisation, Programme)]

    load_demo_data()
    first = counts()
    load_demo_data()
    assert counts() == first
    assert first[3] == 3


def test_demo_logins_all_work(client, app):
    from tests.conftest import sign_in

    logins = load_demo_data()
    from ep_events.accounts.services import get_user_by_email

    for email, _roles in logins:
        user = get_user_by_email(email)
        client.post("/sign-out")
        sign_in(client, user, password=app.config["DEMO_PASSWORD"])




def test_production_refuses_to_start_with_debug_on(monkeypatch):
    import pytest

    from ep_events import create_app

    monkeypatch.setenv("SECRET_KEY", "a-real-secret-that-is-long-enough-for-production")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="Debug mode must be off"):
        create_app("production")
