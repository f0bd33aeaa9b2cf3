"""Several app instances share one rate limit through Redis (REDIS_URL): two separate processes serving the same
database count one person's failed sign-ins together; /readyz says whether Redis answers."""

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

from ep_events.extensions import db, limiter
from tests import factories
from tests.conftest import free_port, make_app

ROOT = Path(__file__).resolve().parents[2]
SERVE = """
import sys
from werkzeug.serving import run_simple
from ep_events import create_app
database, redis, prefix, port, mail_port = sys.argv[1:6]
app = create_app("testing", SQLALCHEMY_DATABASE_URI=database, REDIS_URL=redis, RATELIMIT_STORAGE_URI=redis,
                 RATELIMIT_KEY_PREFIX=prefix, MAIL_PORT=int(mail_port))
run_simple("127.0.0.1", int(port), app)
"""


def _wait_for(port: int, instance: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90  # importing the app takes seconds on a busy machine
    while time.monotonic() < deadline:
        if instance.poll() is not None:
            raise AssertionError(f"the instance on port {port} stopped (its log is beside the database)")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the instance on port {port} did not start")


def _sign_in(port: int, email: str, password: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/sign-in", urllib.parse.urlencode({"email": email, "password": password}),
                     {"Content-Type": "application/x-www-form-urlencoded"})
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture
def shared_database(tmp_path, smtp_server):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    app = make_app(url, smtp_server.port)
    with app.app_context():
        db.create_all()
        factories.user(email="target@example.org")
        db.session.commit()
        db.engine.dispose()
    return url


def test_two_instances_count_one_persons_failed_sign_ins_together(shared_database, redis_url, smtp_server,
                                                                  tmp_path):
    prefix = f"ep-test-{uuid.uuid4().hex}"
    ports = [free_port(), free_port()]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    logs = [open(tmp_path / f"instance-{port}.log", "wb") for port in ports]  # noqa: SIM115 (closed below)
    instances = [subprocess.Popen([sys.executable, "-c", SERVE, shared_database, redis_url, prefix, str(port),
                                   str(smtp_server.port)], cwd=ROOT, env=env, stdout=log, stderr=log)
                 for port, log in zip(ports, logs, strict=True)]
    try:
        for port, instance in zip(ports, instances, strict=True):
            _wait_for(port, instance)
        # Five wrong passwords for one address, taking turns between the two instances (3 + 2):
        for port in (ports[0], ports[1], ports[0], ports[1], ports[0]):
            assert _sign_in(port, "target@example.org", "wrong-password-1") == 400
        # Each instance alone has seen fewer than five; together they have seen five: the sixth is refused on
        # either, even with the right password.
        assert _sign_in(ports[1], "target@example.org", factories.PASSWORD) == 429
        assert _sign_in(ports[0], "target@example.org", factories.PASSWORD) == 429
    finally:
        for instance, log in zip(instances, logs, strict=True):
            instance.terminate()
            instance.wait(timeout=10)
            log.close()


def _close_redis_connections() -> None:
    """The limiter is one object for every app made in this process: close its Redis client's sockets before
    the next app replaces it (else they are found unclosed, later, in some other test)."""
    limiter.storage.storage.connection_pool.disconnect()


def test_readyz_checks_redis_where_it_is_configured(tmp_path, smtp_server, redis_url):
    url = f"sqlite:///{tmp_path / 'ready.db'}"
    ready = make_app(url, smtp_server.port, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url)
    try:
        response = ready.test_client().get("/readyz")
    finally:
        _close_redis_connections()
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "rate_limits": "ok"}
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    down = make_app(url, smtp_server.port, REDIS_URL=dead, RATELIMIT_STORAGE_URI=dead)
    try:
        response = down.test_client().get("/readyz")
    finally:
        _close_redis_connections()
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "rate_limits": "unavailable"}
