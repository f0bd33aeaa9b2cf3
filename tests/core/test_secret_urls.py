"""Secret links (reset, confirmation, email change, calendar feed) never reach an access log."""

import http.client
import logging
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from werkzeug.routing import Map, Rule

from ep_events.core.secret_urls import (
    REDACTED,
    SECRET_ARGUMENT,
    SECRET_URL_FILTER,
    contains_secret_url,
    redact_secret_urls,
    secret_route_rules,
)
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


def token() -> str:
    return secrets.token_urlsafe(32)


def secret_paths(app) -> list[tuple[str, str]]:
    """(path, secret) for every route of the app that takes a secret, built by the app's own URL map."""
    out = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        secret_args = [a for a in rule.arguments if SECRET_ARGUMENT.search(a)]
        if not secret_args:
            continue
        value = token()
        values = {a: (value if a in secret_args else 7) for a in rule.arguments}
        out.append((adapter.build(rule.endpoint, values), value))
    return out


def test_the_secret_routes_are_learnt_from_the_app(app):
    rules = secret_route_rules()
    for rule in ("/confirm/<token>", "/reset-password/<token>", "/calendar/<token>.ics"):
        assert rule in rules


def test_every_route_that_takes_a_token_is_redacted_in_a_request_line_and_a_referer(app):
    paths = secret_paths(app)
    assert len(paths) >= 3
    for path, value in paths:
        line = (f'127.0.0.1 - - [02/Dec/2026:10:00:00 +0000] "GET {path} HTTP/1.1" 200 512 '
                f'"http://localhost{path}" "Mozilla/5.0"')
        redacted = redact_secret_urls(line)
        assert value not in redacted, path
        assert redacted.count(REDACTED) == 2, redacted
        assert contains_secret_url(f"Use this link: http://localhost{path}")


def test_a_mistyped_feed_address_and_a_query_token_are_redacted_too(app):
    value = token()
    assert value not in redact_secret_urls(f"GET /calendar/{value} HTTP/1.1")
    assert value not in redact_secret_urls(f"GET /calendar/{value}.icsx HTTP/1.1")
    assert value not in redact_secret_urls(f"GET /anything?page=2&reset_token={value}&x=1 HTTP/1.1")
    assert redact_secret_urls("GET /surgeries/mtc?page=2 HTTP/1.1") == "GET /surgeries/mtc?page=2 HTTP/1.1"
    assert redact_secret_urls(f"GET /calendar/{value}.ics HTTP/1.1") == f"GET /calendar/{REDACTED}.ics HTTP/1.1"


def test_ordinary_addresses_are_left_alone(app):
    for line in ('"GET /bookings/12/confirmed HTTP/1.1" 200', '"GET /surgeries/mtc HTTP/1.1" 200',
                 '"POST /forgot-password HTTP/1.1" 302', '"GET /programmes/mtc/events.ics HTTP/1.1" 200'):
        assert redact_secret_urls(line) == line


def test_the_development_servers_access_log_record_is_redacted(app, live_server, caplog, monkeypatch):
    """A real request through werkzeug's server, and the real record its request logger writes."""
    value = token()
    # Alembic's logging set-up (the migration tests) disables loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("werkzeug"), "disabled", False)
    caplog.set_level(logging.INFO, logger="werkzeug")
    conn = http.client.HTTPConnection("127.0.0.1", int(live_server.url.rsplit(":", 1)[1]), timeout=10)
    conn.request("GET", f"/reset-password/{value}", headers={"Referer": f"{live_server.url}/confirm/{value}"})
    conn.getresponse().read()  # whatever the page says: the log line is what is checked
    conn.close()
    deadline = time.monotonic() + 5
    while not [r for r in caplog.records if r.name == "werkzeug" and "reset-password" in r.getMessage()]:
        assert time.monotonic() < deadline, "werkzeug logged no request"
        time.sleep(0.05)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any(f"/reset-password/{REDACTED}" in line for line in lines), lines
    assert not any(value in line for line in lines), lines
    assert SECRET_URL_FILTER in logging.getLogger("werkzeug").filters


def test_gunicorns_access_log_is_redacted(tmp_path):
    """gunicorn started as the README says (with gunicorn.conf.py), writing its access log to a file."""
    port, value, log = free_port(), token(), tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if k != "FLASK_DEBUG"}
    env.update(EP_EVENTS_CONFIG="production", SECRET_KEY="x" * 32, DATABASE_URL=f"sqlite:///{tmp_path}/ep.db",
               SESSION_COOKIE_SECURE="false", FORCE_HTTPS="false")
    errors = tmp_path / "error.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log), "--error-logfile", str(errors),
         "ep_events:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", f"/calendar/{value}.ics?key={value}",
                             headers={"Referer": f"http://127.0.0.1:{port}/reset-password/{value}"})
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                assert process.poll() is None, errors.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        deadline = time.monotonic() + 10
        while "calendar" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "gunicorn wrote no access log line"
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = log.read_text()
    assert f"/calendar/{REDACTED}.ics?key={REDACTED}" in text and f"/reset-password/{REDACTED}" in text, text
    assert value not in text


def test_a_route_with_another_secret_argument_name_is_learnt():
    from ep_events.core.secret_urls import _pattern_for

    for rule in ("/account/email/<email_token>", "/x/<int:id>/unsubscribe/<key>/done"):
        assert _pattern_for(rule) is not None
    assert _pattern_for("/bookings/<int:booking_id>") is None
    assert Map([Rule("/x/<token>")])  # werkzeug accepts the rules the pattern builder reads
