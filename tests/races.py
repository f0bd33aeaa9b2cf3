"""Concurrency in tests: attempts run in their own threads, each with its own app context and database
connection, all released at once (a barrier), so the database (not Python) decides who wins."""

import threading

from ep_events.core.errors import DomainError
from ep_events.extensions import db


def race(app, attempts):
    """Each attempt's outcome: "ok", the DomainError's message, or "crash: …" for anything else."""
    barrier = threading.Barrier(len(attempts))
    results = [None] * len(attempts)

    def run(index, attempt):
        with app.app_context():
            barrier.wait()
            try:
                attempt()
                db.session.commit()
                results[index] = "ok"
            except DomainError as error:
                db.session.rollback()
                results[index] = str(error)
            except Exception as error:  # surfaced in the assertion below
                db.session.rollback()
                results[index] = f"crash: {type(error).__name__}: {error}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
