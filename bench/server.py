"""gunicorn on a free loopback port, as production runs the app, and the servers around it (Redis, nginx); each
always stopped on the way out."""

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
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


def production_env(database_url: str, base_url: str, **settings: str) -> dict[str, str]:
    """The environment of an app process with the production config on plain HTTP over loopback; `settings`
    (REDIS_URL, PROXY_FIX_HOPS …) added. Every process given the same SECRET_KEY in `settings` shares sessions."""
    env = {key: value for key, value in os.environ.items() if key != "FLASK_DEBUG"}
    env.setdefault("PYTHONFAULTHANDLER", "1")
    env.update(EP_EVENTS_CONFIG="production", FLASK_APP="ep_events", SECRET_KEY=secrets.token_hex(32),
               DATABASE_URL=database_url, SESSION_COOKIE_SECURE="false", FORCE_HTTPS="false", BASE_URL=base_url)
    env.update(settings)
    return env


@contextmanager
def gunicorn(app_spec: str, database_url: str, log_path: Path, workers: int = 2, ready_path: str = "/",
             port: int | None = None, env: dict[str, str] | None = None):
    """Serve `app_spec` with the production config on SQLite or PostgreSQL; yields the port.

    `env` (from production_env) replaces the default environment, for instances that share a secret and Redis."""
    port = port or free_port()
    env = env or production_env(database_url, f"http://127.0.0.1:{port}")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_answered(port, ready_path, process, log_path)
        yield port
    finally:
        _stop(process)


def _wait_until_answered(port: int, ready_path: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while not _answers(port, ready_path):
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}; see {log_path}:\n"
                               + log_path.read_text(errors="replace")[-3000:])
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing answered {ready_path} on port {port} within 60 s; see {log_path}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def redis_server():
    """A throwaway redis-server on a free loopback port, nothing saved to disk; yields its URL."""
    server = shutil.which("redis-server")
    if not server:
        raise RuntimeError("Redis is needed: install the redis-server package")
    workdir = Path(tempfile.mkdtemp(prefix="ep-events-redis-"))
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(process)
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def nginx(app_ports: list[int], run_dir: Path, ready_path: str = "/readyz"):
    """nginx on a free loopback port in front of the app instances, with make production-local's site
    (deploy/nginx/local.conf.in); yields its port. Its configuration and logs are written to `run_dir`."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is needed: install the nginx package")
    if len(app_ports) != 2:
        raise ValueError("the local site has two app instances")
    port = free_port()
    temp = Path(tempfile.mkdtemp(prefix="ep-events-nginx-"))  # under /tmp: nginx's workers may run as another user
    temp.chmod(0o777)
    conf = (ROOT / "deploy" / "nginx" / "local.conf.in").read_text()
    for name, value in {"RUN_DIR": run_dir, "NGINX_TMP": temp, "WEB_PORT": port, "APP1_PORT": app_ports[0],
                        "APP2_PORT": app_ports[1]}.items():
        conf = conf.replace(f"@{name}@", str(value))
    (run_dir / "nginx.conf").write_text(conf)
    log_path = run_dir / "nginx-error.log"
    process = subprocess.Popen([binary, "-p", str(run_dir), "-c", str(run_dir / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_answered(port, ready_path, process, log_path)
        yield port
    finally:
        _stop(process)
        shutil.rmtree(temp, ignore_errors=True)


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
