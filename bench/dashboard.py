"""Organiser dashboards: dashboard_p95_ms (each programme's dashboard, signed in as a site admin, on the year of
surgeries, five membership years of Network Days and a year of workshops that the main bench seeded), and the
statements per dashboard on that data and on the small data set (dashboard_queries / _small: surgeries,
Network Days, workshops)."""

import time
from datetime import UTC, datetime

from sqlalchemy import insert, select

from bench import network_seed, queries, seed, workshop_seed
from bench.loadgen import percentile_ms
from ep_events import create_app
from ep_events.accounts.models import Grant, Role, User
from ep_events.extensions import db

ADMIN_EMAIL = "dashboard-admin@bench.example.org"
LOADS = 30  # per programme
PATHS = [f"/dashboards/{slug}" for slug in (seed.SLUG, network_seed.SLUG, workshop_seed.SLUG)]


def add_admin(database_url: str, password_hash: str) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        if db.session.execute(select(User.id).where(User.email == ADMIN_EMAIL)).scalar_one_or_none() is None:
            now = datetime.now(UTC)
            user_id = db.session.execute(insert(User).returning(User.id), [{
                "email": ADMIN_EMAIL, "name": "Dashboard Admin", "job_title": "Admin", "organisation_other": "",
                "password_hash": password_hash, "confirmed_at": now, "session_version": 1, "created_at": now}]
            ).scalar_one()
            db.session.execute(insert(Grant), [{"user_id": user_id, "role": Role.ADMIN, "created_at": now}])
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def measure(big_url: str, small_url: str, password_hash: str, log) -> dict:
    for url in (big_url, small_url):
        add_admin(url, password_hash)
    counts = {size: "/".join(str(queries.count_in_child(url, path, ADMIN_EMAIL)) for path in PATHS)
              for size, url in (("big", big_url), ("small", small_url))}
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=big_url)
    client = app.test_client()
    signed_in = client.post("/sign-in", data={"email": ADMIN_EMAIL, "password": seed.PASSWORD})
    if signed_in.status_code != 302:
        raise RuntimeError(f"signing in as {ADMIN_EMAIL} gave {signed_in.status_code}")
    times = []
    for path in PATHS:
        client.get(path)  # warm-up
        own = []
        for _ in range(LOADS):
            started = time.perf_counter()
            response = client.get(path)
            own.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} gave {response.status_code}")
        log(f"  {path}: p95 {percentile_ms(own, 95):.1f} ms, {len(response.get_data()) // 1024} KiB")
        times += own
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return {"dashboard_p95_ms": percentile_ms(times, 95), "dashboard_queries": counts["big"],
            "dashboard_queries_small": counts["small"]}
