"""SQL statements per request, counted on the engine: a page whose count grows with the data has an N+1.

Counted in a child process (`python -m bench.queries DATABASE_URL PATH [EMAIL]`) with the garbage collector off;
with an email, the client signs in as that person (bench.seed.PASSWORD) first and the signed-in GET is counted.
The count does not depend on the collector, and on CPython 3.11 a collection during the slot picker on a
year of data can crash the interpreter (gunicorn_worker_deaths shows it under load); a crash here would
otherwise end the whole benchmark.
"""

import gc
import os
import subprocess
import sys

from sqlalchemy import event


def count_statements(app, path: str, email: str | None = None) -> int:
    """Statements the database receives for one GET of `path` (after one warm-up GET), signed in as
    `email` when given (the sign-in itself is not counted)."""
    from bench.seed import PASSWORD
    from ep_events.extensions import db

    client = app.test_client()
    with app.app_context():
        engine = db.engine
    if email:
        signed_in = client.post("/sign-in", data={"email": email, "password": PASSWORD})
        if signed_in.status_code != 302:
            raise RuntimeError(f"signing in as {email} gave {signed_in.status_code}")
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


def count_in_child(database_url: str, path: str, email: str | None = None) -> int:
    from bench.server import ROOT

    done = subprocess.run([sys.executable, "-m", "bench.queries", database_url, path, *([email] if email else [])],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"counting statements for {path} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return int(done.stdout.strip())


if __name__ == "__main__":
    gc.disable()
    from ep_events import create_app

    count = count_statements(create_app("testing", SQLALCHEMY_DATABASE_URI=sys.argv[1]), sys.argv[2],
                             sys.argv[3] if len(sys.argv) > 3 else None)
    print(count, flush=True)
    os._exit(0)  # skip the final collection at shutdown, for the same reason
