"""Run every benchmark once and print `name: value` lines; goals are in the README, never enforced here."""

import math
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.security import generate_password_hash

from bench import feed, outbox, queries, race
from bench.loadgen import HttpSession, run_load
from bench.seed import PASSWORD, SMALL, YEAR, seed
from bench.server import gunicorn
from ep_events import create_app
from ep_events.extensions import db

CLIENTS = 16
LOAD_SECONDS = 10.0


def report(name: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.2f}" if math.isfinite(value) else "nan"
    print(f"{name}: {value}", flush=True)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def in_process_app(database_url: str):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)


def close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def p95_ms(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ep-events-bench-") as tmp:
        tmp = Path(tmp)
        password_hash = generate_password_hash(PASSWORD)  # once: every seeded user shares it
        big_url = f"sqlite:///{tmp / 'year.db'}"
        small_url = f"sqlite:///{tmp / 'small.db'}"

        log("seeding a year of data")
        big = in_process_app(big_url)
        started = time.perf_counter()
        with big.app_context():
            seeded = seed(YEAR, password_hash)
        report("seed_seconds", time.perf_counter() - started)
        log(f"seeded {seeded.dates} dates, {seeded.slots} slots, {seeded.users} users, {seeded.bookings} bookings "
            f"({seeded.confirmed} confirmed)")

        picker_path = f"/surgeries/{seeded.slug}"
        report("slot_picker_queries", queries.count_statements(big, picker_path))
        small = in_process_app(small_url)
        with small.app_context():
            seed(SMALL, password_hash)
        report("slot_picker_queries_small", queries.count_statements(small, picker_path))
        close(small)
        close(big)

        log(f"serving with gunicorn (2 workers); {CLIENTS} clients, {LOAD_SECONDS:.0f} s per page")
        with gunicorn("bench.reference_app:create_app()", big_url, tmp / "gunicorn.log",
                      ready_path="/bench/bare") as port:
            anonymous = [HttpSession(port) for _ in range(CLIENTS)]
            bare = run_load(anonymous, "/bench/bare", LOAD_SECONDS)
            picker = run_load(anonymous, picker_path, LOAD_SECONDS)
            signed_in = [HttpSession(port) for _ in range(CLIENTS)]
            for session, email in zip(signed_in, seeded.frequent_emails, strict=False):
                session.sign_in(email, PASSWORD)
            mine = run_load(signed_in, "/bookings", LOAD_SECONDS)
            for session in anonymous + signed_in:
                session.close()
        report("bare_route_rps", bare.rps)
        report("bare_route_p95_ms", bare.percentile_ms(95))
        report("slot_picker_rps", picker.rps)
        report("slot_picker_vs_bare_ratio", picker.rps / bare.rps if bare.rps else float("nan"))
        report("slot_picker_p95_ms", picker.percentile_ms(95))
        report("my_bookings_rps", mine.rps)
        report("my_bookings_p95_ms", mine.percentile_ms(95))
        report("http_errors", bare.errors + picker.errors + mine.errors)

        log("50 people booking one slot at once")
        big = in_process_app(big_url)
        confirmed, outcomes = race.race_for_one_slot(big, seeded.programme_id, password_hash)
        for outcome, count in sorted(outcomes.items()):
            log(f"  {count} × {outcome}")
        report("race_double_bookings", confirmed - 1)
        report("race_successes", outcomes["booked"])

        log("building a 200-booking calendar feed 50 times")
        report("personal_feed_200_ms", p95_ms(feed.feed_build_times(big)))
        close(big)

        log("queueing and delivering 1,000 emails over loopback SMTP")
        queued, delivered = outbox.deliver_a_thousand(f"sqlite:///{tmp / 'outbox.db'}", password_hash)
        log(f"  queued in {queued:.2f} s")
        report("outbox_1000_seconds", delivered)


if __name__ == "__main__":
    main()
