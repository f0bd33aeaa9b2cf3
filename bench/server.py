"""gunicorn on a free loopback port, as production runs the app; always stopped on the way out."""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int, path: str) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except (http.client.HTTPException, OSError):
        return False
    finally:
        conn.close()


@contextmanager
def gunicorn(app_spec: str, database_url: str, log_path: Path, workers: int = 2, ready_path: str = "/"):
    """Serve `app_spec` with the production config on SQLite or PostgreSQL; yields the port."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "FLASK_DEBUG"}
    env.setdefault("PYTHONFAULTHANDLER", "1")
    env.update(EP_EVENTS_CONFIG="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=database_url,
               SESSION_COOKIE_SECURE="false", FORCE_HTTPS="false", BASE_URL=f"http://127.0.0.1:{port}")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port, ready_path):
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}:\n"
                                   + log_path.read_text(errors="replace")[-3000:])
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer {ready_path} within 60 s")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_deaths(log_path: Path) -> tuple[int, str]:
    """Workers gunicorn saw die of a signal (a crash, or a kill after a timeout), and the first crash report."""
    if not log_path.exists():
        return 0, ""
    text = log_path.read_text(errors="replace")
    first = ""
    if "Fatal Python error" in text:
        start = text.index("Fatal Python error")
        first = text[start:start + 1500]
    return text.count("was sent SIG"), first
