"""Fifty invoices issued at the same moment for one programme on PostgreSQL: numbers 1..50, no gap, no duplicate.

PostgreSQL is TEST_DATABASE_URL when set, else a throwaway cluster started here (initdb and pg_ctl in a
temporary directory, on a free loopback port, as the postgres user when run as root) and removed afterwards.
Without PostgreSQL binaries the figures are "n/a (no PostgreSQL)" and the reason is logged.
"""

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine, select, text

from bench.server import free_port
from ep_events import create_app
from ep_events.billing.invoices import issue_invoice
from ep_events.billing.models import BillingItem, Invoice, Order
from ep_events.billing.orders import WantedLine, place_order
from ep_events.billing.settings import set_price, update_billing_settings
from ep_events.extensions import db
from ep_events.organisations.models import Organisation, OrganisationKind
from ep_events.programmes.models import Programme, ProgrammeStatus

INVOICES = 50
NO_POSTGRES = "n/a (no PostgreSQL)"
ORDERED = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


@contextmanager
def postgres_server(log):
    """A server URL (admin database), or None when there is no PostgreSQL to use."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        log("no PostgreSQL: TEST_DATABASE_URL is not set and initdb/pg_ctl are not installed")
        yield None
        return
    workdir = Path(tempfile.mkdtemp(prefix="ep-events-bench-pg-"))
    run_as = []
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = str(workdir / "data")
    try:
        subprocess.run(run_as + [initdb, "-D", data, "-A", "trust", "-U", "postgres"], check=True,
                       capture_output=True, timeout=120)
        subprocess.run(run_as + [pg_ctl, "-D", data, "-l", str(workdir / "log"), "-w", "-o",
                                 f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
                                 " -c max_connections=200", "start"], check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        detail = getattr(error, "stderr", b"") or b""
        log(f"no PostgreSQL: the throwaway cluster did not start ({error}) {detail.decode(errors='replace')[-500:]}")
        subprocess.run(run_as + [pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
        yield None
        return
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(run_as + [pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def fresh_database(server_url: str):
    name = f"ep_bench_{os.getpid()}_{time.monotonic_ns()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        base, _ = server_url.rsplit("/", 1)
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def issue_at_once(app, invoices: int = INVOICES) -> tuple[list[int], Counter]:
    """`invoices` orders of one programme, each invoiced by its own thread (own app context and session),
    all released at once. Returns the programme's invoice numbers and the threads' outcomes."""
    with app.app_context():
        db.create_all()
        programme = Programme(name="Coram EP Network (race)", slug="network-race", kind="network_days",
                              contact_email="network@example.org", status=ProgrammeStatus.PUBLISHED)
        agency = Organisation(name="Race Adoption Agency", kind=OrganisationKind.REGIONAL_ADOPTION_AGENCY,
                              region="London")
        db.session.add_all([programme, agency])
        db.session.flush()
        update_billing_settings(None, programme, legal_name="Coram", address="41 Brunswick Square\nLondon",
                                how_to_pay="Bank transfer")
        set_price(None, programme, BillingItem.MEMBERSHIP, "150.00", date(2026, 1, 1))
        order_ids = [place_order(None, programme, agency, [WantedLine(BillingItem.MEMBERSHIP, 1, "Membership")],
                                 billing_contact_name="Finance", billing_contact_email="finance@example.org",
                                 billing_address="1 High Street\nLeeds", po_number="PO-RACE", now=ORDERED).id
                     for _ in range(invoices)]
        programme_id = programme.id
        db.session.commit()

    start_line = threading.Barrier(invoices)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def attempt(order_id: int) -> None:
        with app.app_context():
            try:
                start_line.wait(timeout=120)
                issue_invoice(db.session.get(Order, order_id), None, today=ORDERED.date())
                db.session.commit()
                outcome = "issued"
            except Exception as error:  # counted and reported: a crash is a result here
                db.session.rollback()
                outcome = f"error: {type(error).__name__}: {error}"[:200]
            finally:
                db.session.remove()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=attempt, args=(o,), daemon=True) for o in order_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    with app.app_context():
        numbers = list(db.session.execute(select(Invoice.number).where(Invoice.programme_id == programme_id)
                                          .order_by(Invoice.number)).scalars())
    return numbers, outcomes


def gaps_and_duplicates(numbers: list[int]) -> tuple[int, int]:
    """Numbers missing from 1..the highest, and numbers used more than once."""
    used = set(numbers)
    return (max(numbers, default=0) - len(used & set(range(1, max(numbers, default=0) + 1))),
            len(numbers) - len(used))


def measure(log) -> tuple[int | str, int | str]:
    """(gaps, duplicates) of fifty invoices issued at once on PostgreSQL, or NO_POSTGRES twice."""
    try:
        with postgres_server(log) as server:
            if server is None:
                return NO_POSTGRES, NO_POSTGRES
            with fresh_database(server) as url:
                app = create_app("testing", SQLALCHEMY_DATABASE_URI=url,
                                 SQLALCHEMY_ENGINE_OPTIONS={"pool_size": INVOICES + 5, "max_overflow": 10})
                try:
                    numbers, outcomes = issue_at_once(app)
                finally:
                    with app.app_context():
                        db.session.remove()
                        db.engine.dispose()
    except Exception as error:  # never end the bench: say why there is no figure
        log(f"the PostgreSQL invoice race could not run: {type(error).__name__}: {error}")
        return NO_POSTGRES, NO_POSTGRES
    for outcome, count in sorted(outcomes.items()):
        log(f"  {count} × {outcome}")
    if len(numbers) != INVOICES:
        log(f"  {len(numbers)} invoices issued of {INVOICES}")
    return gaps_and_duplicates(numbers)
