"""Scheduled jobs: one instance at a time, carrying on past one bad row, each run recorded.

A row that cannot be processed (a date out of Python's range, a corrupt setting, a mail template
error …) must not stop retention, reminders or offer expiry for everyone else (issue 10): each row's
work is committed on its own; a failing row is rolled back, logged with its traceback, and skipped.

Every run of every job is a `job_run` row (issue 18), written by `run_recorded` alone: when it started and
finished, how many rows it changed, and whether it failed (the exception's class only: a database error's
text can quote the row, and the admin page shows no personal data; the log has the traceback).
"""

import fcntl
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Index, String, delete, select, text
from sqlalchemy.orm import Mapped, mapped_column

from ep_events.core.models import UTCDateTime
from ep_events.core.time import utcnow
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


# The latest runs kept of each job: a day of runs once a minute (`make run` runs them every few seconds).
RUNS_KEPT_PER_JOB = 1500
ERROR_MAX = 200


class JobRun(db.Model):
    """One run of one scheduled job: when, how many rows it changed, and ok or the error's class."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_name_id", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows_affected: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(String(ERROR_MAX))

    @property
    def ok(self) -> bool:
        return self.finished_at is not None and self.error is None


def run_recorded(job: str, work: Callable[[], int]) -> JobRun | None:
    """Run `work` (which returns the rows it changed) as one run of `job`, recorded in `job_run`, and commit.

    None when another instance is running the job (nothing is done or recorded). An exception in `work` is
    recorded as the run's error and raised again, so the command fails as before.
    """
    with one_at_a_time(job) as mine:
        if not mine:
            return None
        run = JobRun(name=job, started_at=utcnow())
        db.session.add(run)
        db.session.commit()  # visible as running while it runs, and kept whatever the work does
        try:
            rows = work()
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            run.finished_at, run.error = utcnow(), type(error).__name__[:ERROR_MAX]
            db.session.commit()
            raise
        run.finished_at, run.rows_affected = utcnow(), rows
        oldest_kept = db.session.execute(select(JobRun.id).where(JobRun.name == job).order_by(JobRun.id.desc())
                                         .offset(RUNS_KEPT_PER_JOB - 1).limit(1)).scalar()
        if oldest_kept is not None:
            db.session.execute(delete(JobRun).where(JobRun.name == job, JobRun.id < oldest_kept))
        db.session.commit()
        return run


def last_runs(jobs: Iterable[str]) -> dict[str, JobRun]:
    """The latest run of each of these jobs that has run, by job name (one index look-up each)."""
    found = {}
    for job in jobs:
        run = db.session.execute(select(JobRun).where(JobRun.name == job).order_by(JobRun.id.desc())
                                 .limit(1)).scalar()
        if run is not None:
            found[job] = run
    return found
