"""A personal calendar feed of 200 bookings, fetched over HTTP from GET /calendar/<token>.ics."""

import http.client
import time

from bench.loadgen import HttpSession


def feed_fetch_times(port: int, token: str, events: int, fetches: int = 50) -> tuple[list[float], int]:
    """Seconds per fetch by one client, one after another, and the number of failed fetches.

    A fetch counts only if it is a 200 carrying every booking as a VEVENT.
    """
    session = HttpSession(port)
    path = f"/calendar/{token}.ics"
    times, failures = [], 0
    try:
        session.request("GET", path)  # warm-up: templates, caches, connection
        for _ in range(fetches):
            started = time.perf_counter()
            try:
                status, _, body = session.request("GET", path)
            except (http.client.HTTPException, OSError):
                failures += 1
                continue
            elapsed = time.perf_counter() - started
            if status == 200 and body.count(b"BEGIN:VEVENT") == events:
                times.append(elapsed)
            else:
                failures += 1
    finally:
        session.close()
    return times, failures
