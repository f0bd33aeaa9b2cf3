"""SQL statements per request, counted on the engine: a page whose count grows with the data has an N+1.

Counted in a child process (`python -m bench.queries DATABASE_URL PATH`) with the garbage collector off.
The count does not depend on the collector, and on CPython 3.11 a collection during the slot picker on a
year of data can crash the interpreter (gunicorn_worker_deaths shows it under load); a crash here would
otherwise end the whole benchmark.
"""

import gc
import os
import subprocess
import sys

from sqlalchemy import event


def count_statements(app, path: str) -> int:
    """Statements the database receives for one GET of `path` (after one warm-up GET)."""
    from ep_events.extensions import db

    client = app.test_client()
    with app.app_context():
        engine = db.engine
    warm = client.get(path)
    if warm.status_code != 200:
        raise RuntimeError(f"GET {path} gave {warm.status_code}")
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} gave {response.status_code}")
    return len(statements)


def count_in_child(database_url: str, path: str) -> int:
    from bench.server import ROOT

    done = subprocess.run([sys.executable, "-m", "bench.queries", database_url, path], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"counting statements for {path} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return int(done.stdout.strip())


if __name__ == "__main__":
    gc.disable()
    from ep_events import create_app

    count = count_statements(create_app("testing", SQLALCHEMY_DATABASE_URI=sys.argv[1]), sys.argv[2])
    print(count, flush=True)
    os._exit(0)  # skip the final collection at shutdown, for the same reason
