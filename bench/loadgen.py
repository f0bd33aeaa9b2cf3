"""A small HTTP load generator: threads, one http.client connection and cookie jar each, loopback only.

Pure standard library, so `make bench` needs nothing beyond requirements-dev.txt. Each client keeps
its connection alive when the server allows it; gunicorn's sync workers answer `Connection: close`,
and http.client then opens a new connection for the next request, as a browser would.
"""

import http.client
import math
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]*)"')


class HttpSession:
    """One client: a connection to 127.0.0.1 and the cookies the server set."""

    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # the next request opens a fresh connection
            raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            expired = "max-age=0" in cookie.lower() or "expires=thu, 01 jan 1970" in cookie.lower()
            if expired:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return response.status, response.headers, data

    def sign_in(self, email: str, password: str) -> None:
        """GET the form for its CSRF token and session cookie, then POST it; raises unless signed in."""
        status, _, page = self.request("GET", "/sign-in")
        found = CSRF_INPUT.search(page.decode("utf-8"))
        if status != 200 or not found:
            raise RuntimeError(f"GET /sign-in gave {status} without a csrf_token field")
        token = VALUE.search(found.group(0)).group(1)
        status, headers, page = self.request("POST", "/sign-in",
                                             form={"csrf_token": token, "email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"Signing in as {email} gave {status}, not a redirect:\n{page[:2000]!r}")

    def close(self) -> None:
        self.conn.close()


@dataclass
class LoadResult:
    path: str
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests in the window
    errors: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        return percentile_ms(self.latencies, p)

    def __add__(self, other: "LoadResult") -> "LoadResult":
        return LoadResult(self.path, self.seconds + other.seconds, self.latencies + other.latencies,
                          self.errors + other.errors)


def percentile_ms(seconds: list[float], p: float) -> float:
    """The nearest-rank percentile of durations in seconds, in milliseconds; nan when there are none."""
    if not seconds:
        return float("nan")
    ordered = sorted(seconds)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def run_load(sessions: list[HttpSession], path: str, seconds: float, warmup: float = 2.0) -> LoadResult:
    """Every session GETs `path` back to back; only requests that start and end inside the window count.

    The warm-up lets each worker compile its templates and fill its caches before the clock starts.
    """
    started = time.perf_counter()
    window_start = started + warmup
    window_end = window_start + seconds
    result = LoadResult(path, seconds)
    lock = threading.Lock()

    def client(session: HttpSession) -> None:
        latencies, errors = [], 0
        while (sent := time.perf_counter()) < window_end:
            try:
                status, _, _ = session.request("GET", path)
            except (http.client.HTTPException, OSError):
                status = None
            done = time.perf_counter()
            if sent >= window_start and done <= window_end:
                if status == 200:
                    latencies.append(done - sent)
                else:
                    errors += 1
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors

    threads = [threading.Thread(target=client, args=(s,), daemon=True) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + seconds + 60)
    return result


def p95_of_calls(action, count: int) -> float:
    """Call `action` once to warm up (templates compiled, fonts cut), then `count` times: the p95 in ms."""
    action()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return percentile_ms(times, 95)
