"""Scheduled jobs carry on past one bad row.

A row that cannot be processed (a date out of Python's range, a corrupt setting, a mail template
error …) must not stop retention, reminders or offer expiry for everyone else (issue 10): each row's
work is committed on its own; a failing row is rolled back, logged with its traceback, and skipped.
"""

import fcntl
import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from ep_events.extensions import db

log = logging.getLogger("ep_events.jobs")


@contextmanager
def each_row_alone(job: str, row: str):
    """Do one row's work in its own transaction: commit it, or roll it back, log it and carry on.

    A commit per row rather than a SAVEPOINT: with pysqlite's default transaction handling, releasing
    a savepoint opened before any write commits everything so far, and a later rollback undoes less
    than it should.
    """
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("%s: skipped %s after an error; the other rows carry on", job, row)


def _advisory_key(job: str) -> int:
    return zlib.crc32(f"ep_events.job.{job}".encode())  # a stable number per job, within PostgreSQL's bigint


@contextmanager
def one_at_a_time(job: str) -> Iterator[bool]:
    """True when this process may run `job` now, False when another instance is running it (then do nothing).

    PostgreSQL: a session advisory lock, held on a connection of its own for as long as the job runs, so two
    app machines started by their timers at the same minute run it once. SQLite: every instance is on the
    machine holding the file, so a lock file beside the database does the same.
    """
    engine = db.engine
    if engine.dialect.name == "postgresql":
        key = _advisory_key(job)
        with engine.connect() as conn:
            mine = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            conn.commit()
            try:
                yield mine
            finally:
                if mine:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield True  # a database in this process alone
        return
    with open(Path(database).with_name(f"{Path(database).name}.{job}.lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            mine = False
        else:
            mine = True
        try:
            yield mine
        finally:
            if mine:
                fcntl.flock(lock, fcntl.LOCK_UN)
