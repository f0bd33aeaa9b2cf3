"""`make bench-production`: the key pages, the race for one slot and the sign-in limit on the production stack.

A throwaway PostgreSQL cluster (bench/invoice_race.py's, or TEST_DATABASE_URL's server) and Redis, the schema by
`flask db upgrade`, a year of every programme (bench/seed.py, network_seed.py, workshop_seed.py), then two gunicorn
instances of WORKERS_EACH workers with the production config behind nginx (make production-local's site,
deploy/nginx/local.conf.in). The pages are loaded through nginx, so all four workers serve them; the race and the
sign-in limit go to the two instances directly, taking turns, so each instance is known to have had its share.
Prints `production_…: value` lines on stdout, progress on stderr; everything started is stopped and removed on the
way out (an error, Ctrl-C or SIGTERM).
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from limits import parse
from werkzeug.security import generate_password_hash

from bench import dashboard, race, wrk
from bench.__main__ import CLIENTS, MY_BOOKINGS, close, in_process_app, in_turns, log, report, sign_in
from bench.invoice_race import fresh_database, postgres_server
from bench.loadgen import CSRF_INPUT, VALUE, HttpSession, run_load
from bench.network_seed import NETWORK_YEAR, NetworkSeeded, seed_network
from bench.seed import PASSWORD, YEAR, Seeded, email_of, seed
from bench.server import ROOT, gunicorn, nginx, production_env, redis_server, worker_deaths
from bench.workshop_seed import WORKSHOPS_YEAR, WorkshopsSeeded, seed_workshops
from config import Config

APP = "bench.reference_app:create_app()"
INSTANCES = 2
WORKERS_EACH = 2
RACE_PEOPLE = 50
WRONG_PASSWORD = "not-the-password-2026"
SIGN_IN_REFUSED = b"Enter a correct email address and password"


@dataclass
class SeededYear:
    surgeries: Seeded
    network: NetworkSeeded
    workshops: WorkshopsSeeded


def migrate(env: dict[str, str]) -> None:
    """`flask db upgrade` on env's DATABASE_URL, as a deploy does."""
    done = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed ({done.returncode}):\n{done.stderr[-3000:]}")


def seed_everything(database_url: str, password_hash: str, sizes=(YEAR, NETWORK_YEAR, WORKSHOPS_YEAR)) -> SeededYear:
    """Every programme's data on the migrated database, and the site admin whose dashboards are measured."""
    surgeries_size, network_size, workshops_size = sizes
    app = in_process_app(database_url)
    try:
        with app.app_context():
            seeded = SeededYear(seed(surgeries_size, password_hash), seed_network(network_size, password_hash),
                                seed_workshops(workshops_size, password_hash))
    finally:
        close(app)
    dashboard.add_admin(database_url, password_hash)
    return seeded


@contextmanager
def app_instances(env: dict[str, str], run_dir: Path, workers_each: int = WORKERS_EACH, instances: int = INSTANCES):
    """`instances` gunicorn processes of the bench app sharing env (its database, Redis and secret); yields their
    ports. Their logs are run_dir/app-N.log."""
    with ExitStack() as stack:
        yield [stack.enter_context(gunicorn(APP, env["DATABASE_URL"], run_dir / f"app-{n}.log", workers=workers_each,
                                            ready_path="/readyz", env=env))
               for n in range(1, instances + 1)]


def _token(page: bytes) -> str:
    found = CSRF_INPUT.search(page.decode("utf-8"))
    if not found:
        raise RuntimeError("the form has no csrf_token field")
    return VALUE.search(found.group(0)).group(1)


def race_over_http(ports: list[int], slot_id: int, emails: list[str]) -> Counter:
    """Each person signs in on an instance (taking turns between them), opens the slot's booking form, and at one
    moment they all submit it. Returns the answers they saw: "booked" or the refusal's status."""
    book_path = f"/surgeries/slots/{slot_id}/book"
    start_line = threading.Barrier(len(emails))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def attempt(index: int, email: str) -> None:
        session = HttpSession(ports[index % len(ports)], timeout=120)
        try:
            sign_in(session, email)
            status, _, form = session.request("GET", book_path)
            if status != 200:
                raise RuntimeError(f"GET {book_path} gave {status}")
            token = _token(form)
            start_line.wait(timeout=120)
            status, headers, _ = session.request("POST", book_path, form={"csrf_token": token, "theme": "general",
                                                                          "outline": ""})
            booked = status == 302 and re.search(r"/bookings/\d+/confirmed$", headers.get("Location", ""))
            outcome = "booked" if booked else f"refused ({status})"
        except Exception as error:  # counted and reported: a crash is a result here
            start_line.abort()  # nobody waits for a runner who fell before the start
            outcome = f"error: {type(error).__name__}: {error}"[:200]
        finally:
            session.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=attempt, args=(i, e), daemon=True) for i, e in enumerate(emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


def signin_limit() -> int:
    """How many failed sign-ins for one address from one IP address the configuration lets through."""
    return parse(Config.SIGNIN_LIMIT_PER_ADDRESS_AND_IP).amount


def failed_sign_ins_let_through(ports: list[int], email: str, limit: int) -> int:
    """Wrong passwords for `email`, taking turns between the instances, until one is refused with 429; how many
    were answered (400, the form's error) before that. Shared limits let `limit` through, not `limit` per
    instance; gives up after twice the limit and one more, each instance's own count."""
    sessions = [HttpSession(port) for port in ports]
    try:
        for attempt in range(2 * limit + 1):
            session = sessions[attempt % len(sessions)]
            status, _, page = session.request("GET", "/sign-in")
            if status != 200:
                raise RuntimeError(f"GET /sign-in gave {status}")
            status, _, page = session.request("POST", "/sign-in", form={
                "csrf_token": _token(page), "email": email, "password": WRONG_PASSWORD})
            if status == 429:
                return attempt
            if status != 400 or SIGN_IN_REFUSED not in page:
                raise RuntimeError(f"a wrong password gave {status}, not the form's error:\n{page[:1000]!r}")
        return 2 * limit + 1
    finally:
        for session in sessions:
            session.close()


def key_pages(seeded: SeededYear) -> dict[str, str]:
    """The figure's name and the page measured, the bare route (the base layout only) first."""
    network = seeded.network
    return {"bare_route": "/bench/bare", "slot_picker": f"/surgeries/{seeded.surgeries.slug}",
            "my_bookings": MY_BOOKINGS, "network_days_page": f"/network-days/{network.slug}",
            "workshops_page": f"/workshops/{seeded.workshops.slug}", "events_finder": "/events",
            "agency_account_page": f"/network-days/{network.slug}/agencies/{network.agency_id}",
            **{f"dashboard_{kind}": path for kind, path in zip(("surgeries", "network", "workshops"),
                                                                dashboard.PATHS, strict=True)}}


def signed_in_as(seeded: SeededYear) -> dict[str, list[str]]:
    """Who loads each signed-in page: sixteen frequent bookers, the agency's admin, a site admin."""
    emails = {"my_bookings": seeded.surgeries.frequent_emails[:CLIENTS],
              "agency_account_page": [seeded.network.admin_email]}
    emails.update({name: [dashboard.ADMIN_EMAIL] for name in key_pages(seeded) if name.startswith("dashboard_")})
    return emails


def measure_pages(port: int, pages: dict[str, str], emails_for: dict[str, list[str]]) -> dict:
    """Every page by CLIENTS clients in turns (bench.__main__.in_turns), each signed-in page as its people."""
    sessions = {}
    for name in pages:
        emails = emails_for.get(name, [])
        sessions[name] = [HttpSession(port) for _ in range(CLIENTS)]
        for session, email in zip(sessions[name], emails, strict=False):
            sign_in(session, email)
        if len(emails) == 1:  # one person in several tabs
            for session in sessions[name][1:]:
                session.cookies.update(sessions[name][0].cookies)
    by_path = {path: name for name, path in pages.items()}
    try:
        if wrk.available():
            cookies = {name: "; ".join(f"{k}={v}" for k, v in group[0].cookies.items()) or None
                       for name, group in sessions.items()}
            return in_turns(lambda path, seconds, warmup: wrk.run_wrk(
                port, path, seconds, CLIENTS, warmup=warmup, cookie=cookies[by_path[path]]), pages)
        return in_turns(lambda path, seconds, warmup: run_load(sessions[by_path[path]], path, seconds, warmup), pages)
    finally:
        for group in sessions.values():
            for session in group:
                session.close()


def run(tmp: Path, password_hash: str) -> None:
    with ExitStack() as stack:
        server = stack.enter_context(postgres_server(log))
        if server is None:
            raise SystemExit("make bench-production needs PostgreSQL (see the reason above)")
        database_url = stack.enter_context(fresh_database(server))
        redis_url = stack.enter_context(redis_server())
        env = production_env(database_url, "http://127.0.0.1", REDIS_URL=redis_url, PROXY_FIX_HOPS="1")
        started = time.perf_counter()
        migrate(env)
        report("production_migrate_seconds", time.perf_counter() - started)
        log("seeding a year of every programme on PostgreSQL")
        started = time.perf_counter()
        seeded = seed_everything(database_url, password_hash)
        report("production_seed_seconds", time.perf_counter() - started)

        ports = stack.enter_context(app_instances(env, tmp))
        web = stack.enter_context(nginx(ports, tmp))
        log(f"nginx :{web} before {INSTANCES} gunicorn instances of {WORKERS_EACH} workers (:{ports[0]}, :{ports[1]})"
            f"; {CLIENTS} clients through nginx, load from {'wrk' if wrk.available() else 'the Python generator'}")
        pages = key_pages(seeded)
        turns = measure_pages(web, pages, signed_in_as(seeded))
        report("production_load_generator", "wrk" if wrk.available() else "python")
        bare = turns["bare_route"]
        for name, result in turns.items():
            report(f"production_{name}_p95_ms", result.percentile_ms(95))
            report(f"production_{name}_rps", result.rps)
            if name != "bare_route":
                report(f"production_{name}_vs_bare_ratio", result.rps / bare.rps if bare.rps else float("nan"))
        report("production_http_errors", sum(result.errors for result in turns.values()))

        log(f"{RACE_PEOPLE} people booking one slot at once, half on each instance")
        app = in_process_app(database_url)
        try:
            slot_id, user_ids = race.prepare_race(app, seeded.surgeries.programme_id, password_hash, RACE_PEOPLE)
            outcomes = race_over_http(ports, slot_id, [email_of(u) for u in user_ids])
            confirmed = race.confirmed_on(app, slot_id)
        finally:
            close(app)
        for outcome, count in sorted(outcomes.items()):
            log(f"  {count} × {outcome}")
        report("production_race_double_bookings", confirmed - 1)
        report("production_race_successes", outcomes["booked"])

        limit = signin_limit()
        allowed = failed_sign_ins_let_through(ports, seeded.surgeries.frequent_emails[0], limit)
        report("production_signin_limit_shared", f"{'yes' if allowed == limit else 'no'} ({allowed} allowed, "
                                                 f"limit {limit})")
    deaths = sum(worker_deaths(tmp / f"app-{n}.log")[0] for n in range(1, INSTANCES + 1))
    report("production_gunicorn_worker_deaths", deaths)


def _stop_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds every `with`, so everything started is stopped


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    log("load average before starting: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="ep-events-bench-production-") as tmp:
        run(Path(tmp), generate_password_hash(PASSWORD))
    log("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
