"""Run every benchmark once and print `name: value` lines; goals are in the README, never enforced here."""

import http.client
import math
import os
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.security import generate_password_hash

from bench import announce, assessments, cpd, dashboard, feed, invoice_pdf, invoice_race, outbox, queries, race, wrk
from bench.loadgen import HttpSession, percentile_ms, run_load
from bench.network_seed import NETWORK_SMALL, NETWORK_YEAR, seed_network
from bench.seed import PASSWORD, SMALL, YEAR, seed
from bench.server import gunicorn, worker_deaths
from bench.workshop_seed import WORKSHOPS_SMALL, WORKSHOPS_YEAR, seed_workshops
from ep_events import create_app
from ep_events.extensions import db

CLIENTS = 16
AGENCY_CLIENTS = 2  # one per gunicorn worker
MY_BOOKINGS = "/bookings"
# The slot picker, My bookings, the Network Days pages and the bare route are measured in turns, ROUNDS times
# each, and the turns added up:
# this VM's speed drifts by a third within a minute, and one long run each compared a fast minute
# with a slow one (ratios from 0.45 to 0.84 for the same code). Turns see the same drift.
ROUNDS = 5
ROUND_SECONDS = 3.0


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


def sign_in(session: HttpSession, email: str, attempts: int = 3) -> None:
    """Sign in, trying again if the worker serving it died (see gunicorn_worker_deaths)."""
    for attempt in range(1, attempts + 1):
        try:
            session.sign_in(email, PASSWORD)
            return
        except (RuntimeError, http.client.HTTPException, OSError):
            if attempt == attempts:
                raise
            session.cookies.clear()


def in_turns(measure, paths: dict[str, str], rounds: int = ROUNDS, seconds: float = ROUND_SECONDS) -> dict:
    """`measure(path, seconds, warmup)` for each path in turn, round after round; the results added up."""
    totals = {}
    for round_ in range(rounds):
        for name, path in paths.items():
            result = measure(path, seconds, 2.0 if round_ == 0 else 0.0)
            log(f"  turn {round_ + 1}, {name}: {result.rps:.0f} requests/s, p95 {result.percentile_ms(95):.1f} ms")
            totals[name] = totals[name] + result if name in totals else result
    return totals


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ep-events-bench-") as tmp:
        tmp = Path(tmp)
        password_hash = generate_password_hash(PASSWORD)  # once: every seeded user shares it
        big_url = f"sqlite:///{tmp / 'year.db'}"
        small_url = f"sqlite:///{tmp / 'small.db'}"

        # Figures from a busy machine are not comparable: say how busy it was.
        log("load average before starting: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        log("seeding a year of data")
        big = in_process_app(big_url)
        started = time.perf_counter()
        with big.app_context():
            seeded = seed(YEAR, password_hash)
        report("seed_seconds", time.perf_counter() - started)
        log(f"seeded {seeded.dates} dates, {seeded.slots} slots, {seeded.users} users, {seeded.bookings} bookings "
            f"({seeded.confirmed} confirmed)")
        started = time.perf_counter()
        with big.app_context():
            network = seed_network(NETWORK_YEAR, password_hash)
        report("network_seed_seconds", time.perf_counter() - started)
        log(f"seeded Network Days: {network.days} days of membership years {network.years[0]} to "
            f"{network.years[-1]}, {network.agencies} agencies, {network.memberships} memberships, {network.orders} "
            f"orders and invoices, {network.payments} payments, {network.places} places, {network.users} users")
        started = time.perf_counter()
        with big.app_context():
            workshops = seed_workshops(WORKSHOPS_YEAR, password_hash)
        log(f"seeded workshops in {time.perf_counter() - started:.1f} s: {workshops.workshops} workshops "
            f"({workshops.published_upcoming} published to come), {workshops.registrations} registrations "
            f"({workshops.confirmed} confirmed), {workshops.waitlist_entries} waiting-list entries, "
            f"{workshops.feedback} feedback")

        close(big)
        small = in_process_app(small_url)
        with small.app_context():
            seed(SMALL, password_hash)
            seed_network(NETWORK_SMALL, password_hash)
            seed_workshops(WORKSHOPS_SMALL, password_hash)
        close(small)
        picker_path = f"/surgeries/{seeded.slug}"
        report("slot_picker_queries", queries.count_in_child(big_url, picker_path))
        report("slot_picker_queries_small", queries.count_in_child(small_url, picker_path))
        network_path = f"/network-days/{network.slug}"
        report("network_days_page_queries", queries.count_in_child(big_url, network_path))
        report("network_days_page_queries_small", queries.count_in_child(small_url, network_path))
        workshops_path = f"/workshops/{workshops.slug}"  # workshops.programme_workshops, anonymous
        report("workshops_page_queries", queries.count_in_child(big_url, workshops_path))
        report("workshops_page_queries_small", queries.count_in_child(small_url, workshops_path))
        finder_path = "/events"  # every programme's events to come, the first page, anonymous
        report("events_finder_queries", queries.count_in_child(big_url, finder_path))
        report("events_finder_queries_small", queries.count_in_child(small_url, finder_path))
        # The agency account page (network_account.agency_account), signed in as the agency's admin.
        agency_path = f"/network-days/{network.slug}/agencies/{network.agency_id}"
        try:
            agency_counts = [queries.count_in_child(url, agency_path, network.admin_email)
                             for url in (big_url, small_url)]
        except RuntimeError as error:  # the page is not there (yet): measure the rest
            log(f"the agency account page cannot be measured: {error}")
            agency_counts, agency_path = ["n/a"] * 2, None
        report("agency_account_page_queries", agency_counts[0])
        report("agency_account_page_queries_small", agency_counts[1])

        log(f"serving with gunicorn (2 workers); {CLIENTS} clients; the pages and the bare route in "
            f"{ROUNDS} turns of {ROUND_SECONDS:.0f} s each")
        # My bookings and the agency account page (signed in) take their turns with the others, so a machine
        # whose speed drifts slows them all alike and the ratios compare like with like.
        compared = {"bare": "/bench/bare", "picker": picker_path, "mine": MY_BOOKINGS, "network": network_path,
                    "workshops": workshops_path, "finder": finder_path}
        if agency_path:
            compared["agency"] = agency_path
        gunicorn_log = tmp / "gunicorn.log"
        with gunicorn("bench.reference_app:create_app()", big_url, gunicorn_log, ready_path="/bench/bare") as port:
            anonymous = [HttpSession(port) for _ in range(CLIENTS)]
            signed_in = [HttpSession(port) for _ in range(CLIENTS)]
            for session, email in zip(signed_in, seeded.frequent_emails, strict=False):
                sign_in(session, email)
            # The agency's admin: one sign-in, its session cookie shared by every client.
            agency_admin = [HttpSession(port) for _ in range(CLIENTS)]
            sign_in(agency_admin[0], network.admin_email)
            for session in agency_admin[1:]:
                session.cookies.update(agency_admin[0].cookies)
            sessions_for = {MY_BOOKINGS: signed_in, agency_path: agency_admin}
            if wrk.available():
                log("load from wrk")
                cookies = {path: "; ".join(f"{k}={v}" for k, v in sessions[0].cookies.items())
                           for path, sessions in sessions_for.items()}
                turns = in_turns(lambda path, seconds, warmup: wrk.run_wrk(
                    port, path, seconds, CLIENTS, warmup=warmup, cookie=cookies.get(path)), compared)
            else:
                log("load from the Python generator (install wrk for figures less bound by the client)")
                turns = in_turns(lambda path, seconds, warmup: run_load(
                    sessions_for.get(path, anonymous), path, seconds, warmup), compared)
            bare, picker, mine, days = turns["bare"], turns["picker"], turns["mine"], turns["network"]
            agency = turns.get("agency")
            # The agency account page is an agency admin's: a few people at a time, not sixteen at once. Its time
            # is measured again with one client per worker, so that it is the page's own time, not the time spent
            # queueing behind fifteen other requests (the sixteen-client figure is printed beside it).
            # My bookings too, for comparison: its 16-client p95 is mostly queueing (see the README).
            def one_client_per_worker(name: str, path: str):
                log(f"{name} with {AGENCY_CLIENTS} clients (one per worker)")
                if wrk.available():
                    return in_turns(lambda path, seconds, warmup: wrk.run_wrk(
                        port, path, seconds, AGENCY_CLIENTS, warmup=warmup, cookie=cookies[path]),
                        {name: path}, rounds=3)[name]
                return in_turns(lambda path, seconds, warmup: run_load(
                    sessions_for[path][:AGENCY_CLIENTS], path, seconds, warmup), {name: path}, rounds=3)[name]

            mine_alone = one_client_per_worker("My bookings", MY_BOOKINGS)
            agency_alone = one_client_per_worker("the agency account page", agency_path) if agency_path else None
            for session in anonymous + signed_in + agency_admin:
                session.close()
            log(f"fetching a {seeded.feed_bookings}-booking personal calendar feed 50 times")
            feed_times, feed_failures = feed.feed_fetch_times(port, seeded.feed_token, seeded.feed_bookings)
        deaths, first_crash = worker_deaths(gunicorn_log)
        if first_crash:
            log(f"a gunicorn worker crashed; the first report:\n{first_crash}")
        report("load_generator", "wrk" if wrk.available() else "python")
        report("bare_route_rps", bare.rps)
        report("bare_route_p95_ms", bare.percentile_ms(95))
        report("slot_picker_rps", picker.rps)
        report("slot_picker_vs_bare_ratio", picker.rps / bare.rps if bare.rps else float("nan"))
        report("slot_picker_p95_ms", picker.percentile_ms(95))
        report("my_bookings_rps", mine.rps)
        report("my_bookings_vs_bare_ratio", mine.rps / bare.rps if bare.rps else float("nan"))
        report("my_bookings_p95_ms", mine.percentile_ms(95))
        report("my_bookings_p95_ms_one_client_per_worker", mine_alone.percentile_ms(95))
        report("network_days_page_rps", days.rps)
        report("network_days_page_vs_bare_ratio", days.rps / bare.rps if bare.rps else float("nan"))
        report("network_days_page_p95_ms", days.percentile_ms(95))
        report("agency_account_page_rps", agency.rps if agency else "n/a")
        report("agency_account_page_vs_bare_ratio", agency.rps / bare.rps if agency and bare.rps else "n/a")
        report("agency_account_page_p95_ms", agency_alone.percentile_ms(95) if agency_alone else "n/a")
        report("agency_account_page_p95_ms_16_clients", agency.percentile_ms(95) if agency else "n/a")
        shops = turns["workshops"]
        report("workshops_page_rps", shops.rps)
        report("workshops_page_vs_bare_ratio", shops.rps / bare.rps if bare.rps else float("nan"))
        report("workshops_page_p95_ms", shops.percentile_ms(95))
        finder = turns["finder"]
        report("events_finder_rps", finder.rps)
        report("events_finder_vs_bare_ratio", finder.rps / bare.rps if bare.rps else float("nan"))
        report("events_finder_p95_ms", finder.percentile_ms(95))
        report("personal_feed_200_ms", percentile_ms(feed_times, 95))
        report("http_errors", sum(turn.errors for turn in turns.values()) + feed_failures)
        report("gunicorn_worker_deaths", deaths)

        log("50 people booking one slot at once")
        big = in_process_app(big_url)
        confirmed, outcomes = race.race_for_one_slot(big, seeded.programme_id, password_hash)
        for outcome, count in sorted(outcomes.items()):
            log(f"  {count} × {outcome}")
        report("race_double_bookings", confirmed - 1)
        report("race_successes", outcomes["booked"])
        close(big)

        log(f"{invoice_race.INVOICES} invoices of one programme issued at once on PostgreSQL")
        gaps, duplicates = invoice_race.measure(log)
        report("invoice_issue_50_concurrent_gaps", gaps)
        report("invoice_issue_50_concurrent_duplicates", duplicates)

        log("queueing and delivering 1,000 emails over loopback SMTP")
        queued, delivered = outbox.deliver_a_thousand(f"sqlite:///{tmp / 'outbox.db'}", password_hash)
        log(f"  queued in {queued:.2f} s")
        report("outbox_1000_seconds", delivered)

        log(f"announcing a workshop to {announce.SUBSCRIBERS:,} subscribers; delivering with SMTP down, then up")
        queued, once = announce.announce_2000(f"sqlite:///{tmp / 'announce.db'}", password_hash)
        report("announce_2000_queue_seconds", queued)
        report("announce_2000_delivered_once", once)

        log(f"rendering one three-line invoice PDF {invoice_pdf.RENDERS} times")
        report("invoice_pdf_p95_ms", invoice_pdf.measure_invoice_pdf(f"sqlite:///{tmp / 'invoice_pdf.db'}"))

        log(f"CPD: a registration year of records for {cpd.PEOPLE:,} people; the log PDF, a certificate, the log page")
        for name, value in cpd.measure(f"sqlite:///{tmp / 'cpd.db'}", password_hash, log).items():
            report(name, value)

        log(f"Practice standards: an agency's summary and spreadsheet; {assessments.AGENCIES} agencies' shared ratings")
        for name, value in assessments.measure(f"sqlite:///{tmp / 'assessments.db'}", password_hash, log).items():
            report(name, value)

        log("Dashboards: each programme's, signed in as a site admin, on the year of data seeded first")
        for name, value in dashboard.measure(big_url, small_url, password_hash, log).items():
            report(name, value)


if __name__ == "__main__":
    main()
