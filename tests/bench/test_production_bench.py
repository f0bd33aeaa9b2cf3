"""make bench-production's building blocks at a tiny size, on the tests' PostgreSQL and Redis: the schema migrated
and every programme seeded on PostgreSQL, two gunicorn instances with the production config behind nginx, ten
people booking one slot at once across both (one gets it), and wrong passwords for one account taking turns between
the instances (the limit is shared: five let through, not five each)."""

import re
import uuid
from collections import Counter

from werkzeug.security import generate_password_hash

from bench import race
from bench.loadgen import HttpSession
from bench.network_seed import NETWORK_SMALL
from bench.production import (
    app_instances,
    failed_sign_ins_let_through,
    migrate,
    race_over_http,
    seed_everything,
    signin_limit,
)
from bench.seed import PASSWORD, SMALL, email_of
from bench.server import nginx, production_env
from bench.workshop_seed import WORKSHOPS_SMALL
from ep_events import create_app
from ep_events.extensions import db
from tests import factories

PEOPLE = 10


def test_two_instances_book_the_last_place_once_and_share_the_sign_in_limit(pg_database, redis_url, tmp_path):
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    # The limit per IP address is raised in the instances only: a TEST_REDIS_URL kept between runs then still
    # counts this test's failures for its own new address alone.
    env = production_env(pg_database, "http://127.0.0.1", REDIS_URL=redis_url, PROXY_FIX_HOPS="1",
                         SIGNIN_LIMIT_PER_IP="1000 per 15 minutes")
    migrate(env)
    seeded = seed_everything(pg_database, password_hash, sizes=(SMALL, NETWORK_SMALL, WORKSHOPS_SMALL))
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=pg_database)
    target = f"limit-{uuid.uuid4().hex}@example.org"
    try:
        slot_id, user_ids = race.prepare_race(app, seeded.surgeries.programme_id, password_hash, PEOPLE)
        with app.app_context():
            factories.user(email=target)  # after the seeders: its id comes from the bumped sequence
            db.session.commit()
        with app_instances(env, tmp_path, workers_each=1) as ports, nginx(ports, tmp_path) as web:
            outcomes = race_over_http(ports, slot_id, [email_of(u) for u in user_ids])
            assert race.confirmed_on(app, slot_id) == 1
            assert outcomes == Counter({"booked": 1, "refused (400)": PEOPLE - 1})

            assert signin_limit() == 5
            assert failed_sign_ins_let_through(ports, target, signin_limit()) == 5

            # nginx passes the pages to the instances, with a request id of its own.
            visitor = HttpSession(web)
            status, headers, page = visitor.request("GET", f"/surgeries/{seeded.surgeries.slug}")
            visitor.close()
            assert status == 200 and b"MTC practice surgeries" in page
            assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
        access = (tmp_path / "nginx-access.log").read_text()
        assert f'"GET /surgeries/{seeded.surgeries.slug} HTTP/1.1" 200' in access
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
