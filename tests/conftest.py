"""Shared fixtures: an app on a fresh SQLite file per test, a loopback SMTP server, PostgreSQL, Chromium.

Nothing here skips: when CI=true and Chromium or PostgreSQL is missing, the tests that need them fail.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from bench.server import redis_server
from ep_events import create_app
from ep_events.extensions import db
from ep_events.notifications.devmail import start_mail_catcher
from tests import factories
from tests.html_validator import PageFolder, RecordHtmlResponses

pytest_plugins = ["tests.fake_graph"]  # the loopback Microsoft Graph fixtures: graph, provider

ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artefacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Mail -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def smtp_server():
    """A real aiosmtpd server on loopback for the whole session; cleared before each test."""
    port = free_port()
    controller, handler = start_mail_catcher(port)
    handler.port = port
    handler.controller = controller
    yield handler
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.clear()
    return smtp_server


# --- App and database -------------------------------------------------------------------------

def _reuse_url_builders() -> None:
    """Let every app the suite creates share Werkzeug's compiled URL builders.

    Binding a rule to an app's URL map writes and compiles two Python functions for it (`Rule._compile_builder`):
    95% of `create_app`'s time, and the suite creates an app for almost every test. The functions depend only on
    the rule's text, its parsed parts and its defaults, and read the rule's converters when called (through the
    `self` they are bound to), so one compiled pair serves every app's copy of the rule. Tests only: a running
    site creates its app once per process. Without the private method (another Werkzeug), nothing changes."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "shared", False):
        return
    compiled: dict = {}

    def shared(self, append_unknown: bool = True):
        try:
            key = (self.rule, self.host if self.map.host_matching else self.subdomain, tuple(self._trace),
                   tuple(sorted((self.defaults or {}).items())), append_unknown)
            hash(key)
        except TypeError:  # a default that cannot be a key: compile it afresh
            return compile_builder(self, append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    shared.shared = True
    Rule._compile_builder = shared


_reuse_url_builders()


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as a real request does.

    The app fixture keeps one app context pushed for the whole test (so tests share db.session with
    the requests), and Flask reuses a pushed app context for requests, so `g` would carry over from
    one request to the next: Flask-Login caches the signed-in user there and Flask-WTF the CSRF
    check, and a later request would see the earlier request's user whatever its cookie said.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


def make_app(database_url: str, smtp_port: int, **overrides):
    overrides = {"OUTBOX_BACKOFF_SECONDS": 0, **overrides}
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, MAIL_PORT=smtp_port, **overrides)
    app.test_client_class = FreshGlobalsClient
    return app


@pytest.fixture(scope="session")
def empty_sqlite_schema(tmp_path_factory, smtp_server):
    """An SQLite file with every table created once; each test gets its own copy (fast, and isolated)."""
    path = tmp_path_factory.mktemp("schema") / "schema.db"
    app = make_app(f"sqlite:///{path}", smtp_server.port)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture
def app(tmp_path, smtp_server, empty_sqlite_schema):
    shutil.copyfile(empty_sqlite_schema, tmp_path / "test.db")
    app = make_app(f"sqlite:///{tmp_path / 'test.db'}", smtp_server.port, DEV_MAIL_DIR=str(tmp_path / "mail"))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def deliver(app, mailbox):
    """Run the outbox worker once and return the messages the SMTP server received."""
    from ep_events.notifications.outbox import deliver_all

    def _deliver():
        deliver_all("test-worker")
        return list(mailbox.messages)

    return _deliver


def sign_in(client, user, password=factories.PASSWORD):
    response = client.post("/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def signed_in(client):
    def _sign_in(user):
        sign_in(client, user)
        return client

    return _sign_in


# --- PostgreSQL -------------------------------------------------------------------------------

def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


@pytest.fixture(scope="session")
def postgres_url():
    """TEST_DATABASE_URL if set (CI starts a server), else a throwaway cluster started here."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.fail("PostgreSQL is needed for these tests: install the postgresql package or set TEST_DATABASE_URL")
    workdir = Path(tempfile.mkdtemp(prefix="ep-events-pg-"))
    run_as = []
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(run_as + [initdb, "-D", str(workdir / "data"), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run(run_as + [pg_ctl, "-D", str(workdir / "data"), "-l", str(workdir / "log"), "-w", "-o",
                             f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
                             " -c max_connections=200", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(run_as + [pg_ctl, "-D", str(workdir / "data"), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def fresh_pg_database(postgres_url: str):
    """A new, empty PostgreSQL database on the tests' server, dropped afterwards; yields its URL."""
    name = f"ep_test_{os.getpid()}_{time.monotonic_ns()}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _ = postgres_url.rsplit("/", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_database(postgres_url):
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    with fresh_pg_database(postgres_url) as url:
        yield url


@pytest.fixture
def pg_app(pg_database, smtp_server, tmp_path):
    app = make_app(pg_database, smtp_server.port, DEV_MAIL_DIR=str(tmp_path / "mail"))
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


# --- Redis ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def redis_url():
    """TEST_REDIS_URL if set (CI starts a server), else a throwaway redis-server on loopback started here. Tests
    sharing it keep apart by a key prefix of their own (RATELIMIT_KEY_PREFIX)."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    if not shutil.which("redis-server"):
        pytest.fail("Redis is needed for these tests: install the redis-server package or set TEST_REDIS_URL")
    with redis_server() as url:
        yield url


# --- Browser ----------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed for browser tests: install Debian's chromium package ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    # scripts/test-at-times.sh moves the clock with libfaketime (LD_PRELOAD); Chromium under it takes
    # ~45 s to load a page and hangs on close, so the browser keeps the real clock. The site under
    # test runs in this process, so its clock is still the moved one.
    browser_env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, env=browser_env,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def journey_pages(tmp_path_factory):
    """Every HTML page the browser tests' live servers send, validated with vnu once, as the session ends.

    An invalid page fails the session (an error at the teardown of the last test that used it).
    """
    pages = PageFolder(tmp_path_factory.mktemp("journey-pages"))
    yield pages
    errors = pages.errors()
    if errors:
        pytest.fail(f"{len(errors)} HTML errors in pages the browser tests visited:\n" + "\n".join(errors))


@pytest.fixture
def live_server(app, journey_pages, request):
    """The test's app served over real HTTP on loopback, in a thread; the pages it sends are validated."""
    port = free_port()
    app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    app.config["WTF_CSRF_ENABLED"] = True
    recorded = RecordHtmlResponses(app, journey_pages, label_prefix=f"{request.node.name}: ")
    server = make_server("127.0.0.1", port, recorded, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = app.config["BASE_URL"]
    yield server
    server.shutdown()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def _govuk_conditional_reveal(violation) -> bool:
    """GOV.UK Frontend puts aria-expanded on a radio that reveals content, on purpose: screen readers announce
    it, though ARIA does not list it for radios (a known issue, alphagov/govuk-frontend#979). Only that."""
    return violation["id"] == "aria-allowed-attr" and all(
        "govuk-radios__input" in node["html"] and "aria-expanded" in node["html"]
        and "aria-controls=\"conditional-" in node["html"] for node in violation["nodes"])


@pytest.fixture
def check_page(request):
    """Screenshot the page into test-artefacts/ and assert axe finds no WCAG 2.2 A/AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    ARTEFACTS.mkdir(exist_ok=True)
    counter = {"n": 0}

    def _check(page, name: str):
        counter["n"] += 1
        page.screenshot(path=str(ARTEFACTS / f"{request.node.name}-{counter['n']:02d}-{name}.png"), full_page=True)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": [
            "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})
        violations = [v for v in results.response["violations"] if not _govuk_conditional_reveal(v)]
        assert not violations, f"axe violations on {name}: " + "; ".join(
            f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in violations)

    return _check
