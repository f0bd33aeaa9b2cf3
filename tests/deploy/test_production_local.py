"""`make production-local` brings up the production shape (PostgreSQL, Redis, nginx in front of two gunicorn
instances, the outbox worker, the jobs) from Debian's packages; a booking made through nginx survives one
instance being stopped mid-run: nothing is lost, nothing is done twice."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bench.loadgen import CSRF_INPUT, VALUE, HttpSession

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-password-2026"


def _ports(run_dir: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in (run_dir / "ports.env").read_text().splitlines() if "=" in line)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("production-local")
    log = open(run_dir / "script.log", "wb")  # noqa: SIM115 (closed at the end)
    script = subprocess.Popen(["bash", str(ROOT / "deploy" / "production-local.sh")], cwd=ROOT,
                              env={**os.environ, "EP_RUN_DIR": str(run_dir)}, start_new_session=True,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240  # initdb, migrations and demo data on a busy machine
        while not (run_dir / "ports.env").exists():
            if script.poll() is not None or time.monotonic() > deadline:
                pytest.fail("production-local did not start:\n" + (run_dir / "script.log").read_text()[-3000:])
            time.sleep(0.5)
        yield run_dir, _ports(run_dir)
    finally:
        script.send_signal(signal.SIGTERM)
        try:
            script.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(script.pid, signal.SIGKILL)
        log.close()


def _token(page: bytes) -> str:
    return VALUE.search(CSRF_INPUT.search(page.decode()).group(0)).group(1)


def _instance_alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    return True


def test_a_booking_through_nginx_survives_an_instance_stopped_mid_run(production):
    run_dir, ports = production
    web = int(ports["WEB_PORT"])
    session = HttpSession(web)
    status, headers, _ = session.request("GET", "/readyz")
    assert status == 200 and re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])  # nginx's $request_id
    session.sign_in("practitioner@example.org", DEMO_PASSWORD)
    _, _, finder = session.request("GET", "/events?programme=mtc-surgeries&places=yes")
    slug = re.search(rb"/surgeries/([a-z0-9-]+)#date-", finder).group(1).decode()
    _, _, slots = session.request("GET", f"/surgeries/{slug}")
    book_path = re.findall(rb'href="(/surgeries/slots/\d+/book)"', slots)[-1].decode()
    status, _, form = session.request("GET", book_path)
    assert status == 200

    # One instance stops (a deploy, a crash) between showing the form and its submission.
    os.kill(int(ports["APP1_PID"]), signal.SIGTERM)
    deadline = time.monotonic() + 30
    while _instance_alive(ports["APP1_PID"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _instance_alive(ports["APP1_PID"])

    submitted = session.request("POST", book_path, form={"csrf_token": _token(form), "theme": "general",
                                                        "outline": "", "submit": "Confirm booking"})
    status, headers, _ = submitted
    assert status == 302, submitted[2][:2000]
    # The same form sent again (a double click while an instance restarts) does not book twice.
    assert session.request("POST", book_path, form={"csrf_token": _token(form), "theme": "general",
                                                    "outline": ""})[0] in (302, 200, 400)
    for _ in range(10):  # every later request is served by the instance left
        status, _, page = session.request("GET", "/bookings")
        assert status == 200
    assert b"Practice surgery" in page

    engine = create_engine(ports["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            slot_id = int(book_path.split("/")[3])
            confirmed = conn.execute(text(
                "SELECT count(*) FROM surgery_booking b JOIN place p ON p.id = b.id "
                "JOIN \"user\" u ON u.id = p.user_id WHERE b.slot_id = :slot AND p.status = 'confirmed' "
                "AND u.email = 'practitioner@example.org'"),
                {"slot": slot_id}).scalar_one()
            assert confirmed == 1
            # The confirmation goes through the outbox worker to the SMTP server.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                sent = conn.execute(text(
                    "SELECT count(*) FROM outbox_message WHERE recipient = 'practitioner@example.org' "
                    "AND kind LIKE 'surgeries/%' AND status = 'sent'")).scalar_one()
                if sent:
                    break
                time.sleep(1)
                conn.commit()
            assert sent >= 1
    finally:
        engine.dispose()
    session.close()
    access = (run_dir / "nginx-access.log").read_text()
    assert f'"POST {book_path} HTTP/1.1" 302' in access
