"""The bench's dashboards figure (bench/dashboard.py) on a small seeded file (as both of its data sets): the admin
it adds can sign in, each programme's dashboard answers, and its figures are reported."""

from werkzeug.security import generate_password_hash

from bench import dashboard
from bench.network_seed import NETWORK_SMALL, seed_network
from bench.seed import PASSWORD, SMALL, seed
from bench.workshop_seed import WORKSHOPS_SMALL, seed_workshops
from ep_events import create_app
from ep_events.extensions import db


def test_the_dashboard_bench_measures_every_programme_on_small_data(tmp_path, monkeypatch):
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    url = f"sqlite:///{tmp_path / 'small.db'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        seed(SMALL, password_hash)
        seed_network(NETWORK_SMALL, password_hash)
        seed_workshops(WORKSHOPS_SMALL, password_hash)
        db.session.remove()
        db.engine.dispose()
    monkeypatch.setattr(dashboard, "LOADS", 2)
    logged = []
    figures = dashboard.measure(url, url, password_hash, logged.append)
    assert figures["dashboard_queries"] == figures["dashboard_queries_small"]
    assert len(figures["dashboard_queries"].split("/")) == 3
    assert figures["dashboard_p95_ms"] > 0
    assert [line.split(":")[0].strip() for line in logged] == dashboard.PATHS
