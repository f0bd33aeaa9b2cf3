"""Every response carries its request's id (X-Request-ID), a proxy's sensible id is kept, and in JSON mode every
log line of the request is one JSON object with that id."""

import io
import json
import logging
import re

from flask import current_app

from ep_events.core.request_log import json_handler
from tests.conftest import make_app


def test_every_response_has_its_own_request_id(client):
    first, second = client.get("/"), client.get("/workshops/no-such-programme")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert second.status_code == 404 and re.fullmatch(r"[0-9a-f]{32}", second.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client):
    kept = client.get("/", headers={"X-Request-ID": "7d3c1a0e-5b2f-4c1d-9e8f-0a1b2c3d4e5f"})
    assert kept.headers["X-Request-ID"] == "7d3c1a0e-5b2f-4c1d-9e8f-0a1b2c3d4e5f"
    for strange in ("x", "a" * 500, "abc def ghi", "<script>alert(1)</script>", "id;Set-Cookie"):
        response = client.get("/", headers={"X-Request-ID": strange})
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"]), strange


def test_a_refused_request_has_its_id_too(client):
    response = client.get("/events?theme=%00")
    assert response.status_code == 400 and re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_in_json_mode_each_log_line_is_json_with_the_request_id(tmp_path, smtp_server):
    app = make_app(f"sqlite:///{tmp_path / 'log.db'}", smtp_server.port, LOG_FORMAT="json")

    @app.route("/log-something")
    def log_something():
        current_app.logger.warning("something happened: %s", "the detail")
        logging.getLogger("ep_events.jobs").info("a job line")
        return "done"

    stream = io.StringIO()
    handler = json_handler(stream)
    app.logger.handlers = [handler]
    logging.getLogger("ep_events").handlers = [handler]
    try:
        response = app.test_client().get("/log-something", headers={"X-Request-ID": "req-1234567890"})
    finally:
        logging.getLogger("ep_events").handlers = []
    assert response.headers["X-Request-ID"] == "req-1234567890"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["level"], line["message"], line["request_id"]) for line in lines] == [
        ("WARNING", "something happened: the detail", "req-1234567890"),
        ("INFO", "a job line", "req-1234567890")]
    assert all(line["time"] and line["logger"] for line in lines)


def test_production_logs_json_unless_told_otherwise(monkeypatch):
    from config import ProductionConfig

    assert ProductionConfig.LOG_FORMAT == "json"
