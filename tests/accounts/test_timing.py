"""Response times do not tell anyone whether an address has an account.

Each test sends many requests, alternating between an address with an account and one without, and
compares the two medians. What is timed is the CPU time this process spends on each request (the
test client runs the app in-process): the work the site does, which is what leaked, without the
waits caused by whatever else a loaded machine is running, which made wall-clock medians flaky.
The tolerance is a fraction of one password check measured the same way, here and now: the leaks
these tests guard against were a whole hash (or a token and an email) on one side only.
"""

import statistics
import time

from werkzeug.security import check_password_hash, generate_password_hash

from ep_events.extensions import db, limiter
from tests import factories

ROUNDS = 11


def _hash_cost() -> float:
    """Median time of one password check here and now (the same parameters as real hashes)."""
    stored = generate_password_hash("calibration-password")
    times = []
    for _ in range(3):
        start = time.process_time()
        check_password_hash(stored, "wrong-password")
        times.append(time.process_time() - start)
    return statistics.median(times)


def _medians(client, path, known, unknown) -> tuple[float, float]:
    """Median time for each form (a dict, or a function giving a fresh one per request), alternated."""
    timings = {"known": [], "unknown": []}
    for n in range(ROUNDS):
        order = [("known", known), ("unknown", unknown)]
        for label, data in order if n % 2 else reversed(order):
            start = time.process_time()
            response = client.post(path, data=data() if callable(data) else data)
            timings[label].append(time.process_time() - start)
            assert response.status_code < 500
    return statistics.median(timings["known"]), statistics.median(timings["unknown"])


def _assert_alike(known: float, unknown: float, tolerance: float) -> None:
    assert abs(known - unknown) < tolerance, (
        f"known address {known * 1000:.0f} ms, unknown {unknown * 1000:.0f} ms, "
        f"allowed difference {tolerance * 1000:.0f} ms")


def _no_limits(monkeypatch):
    # Dozens of requests from one test client: the rate limits are tested elsewhere.
    monkeypatch.setattr(limiter, "enabled", False)


def test_a_wrong_password_takes_as_long_for_an_unknown_address_as_for_a_real_account(app, client, monkeypatch):
    _no_limits(monkeypatch)
    user = factories.user(email="real@example.org")
    db.session.commit()
    known, unknown = _medians(client, "/sign-in", {"email": user.email, "password": "wrong-password-1"},
                              {"email": "nobody@example.org", "password": "wrong-password-1"})
    _assert_alike(known, unknown, 0.5 * _hash_cost())


def test_signing_up_takes_as_long_with_a_taken_address_as_with_a_new_one(app, client, monkeypatch):
    _no_limits(monkeypatch)
    factories.user(email="taken@example.org")
    db.session.commit()
    form = {"name": "Sam", "job_title": "Social worker", "organisation": "other",
            "organisation_other": "Somewhere Council", "password": "a-long-password"}
    counter = iter(range(1000))

    def new_address():
        return {**form, "email": f"new{next(counter)}@example.org"}

    known, unknown = _medians(client, "/sign-up", {**form, "email": "taken@example.org"}, new_address)
    _assert_alike(known, unknown, 0.5 * _hash_cost())


def test_forgot_password_takes_as_long_for_an_unknown_address_as_for_a_real_account(app, client, monkeypatch):
    _no_limits(monkeypatch)
    user = factories.user(email="real@example.org")
    db.session.commit()
    known, unknown = _medians(client, "/forgot-password", {"email": user.email}, {"email": "nobody@example.org"})
    # No password hash here: the difference allowed is a fraction of the whole request instead.
    _assert_alike(known, unknown, 0.35 * max(known, unknown))


def test_resending_a_confirmation_takes_as_long_for_an_unknown_address(app, client, monkeypatch):
    _no_limits(monkeypatch)
    user = factories.user(email="unconfirmed@example.org", confirmed=False)
    db.session.commit()
    known, unknown = _medians(client, "/sign-up/resend", {"email": user.email}, {"email": "nobody@example.org"})
    _assert_alike(known, unknown, 0.35 * max(known, unknown))
