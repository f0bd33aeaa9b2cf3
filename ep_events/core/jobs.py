"""Scheduled jobs carry on past one bad row.

A row that cannot be processed (a date out of Python's range, a corrupt setting, a mail template
error …) must not stop retention, reminders or offer expiry for everyone else (issue 10): each row's
work is committed on its own; a failing row is rolled back, logged with its traceback, and skipped.
"""

import logging
from contextlib import contextmanager

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
