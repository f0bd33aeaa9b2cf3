"""Scheduled jobs run in one instance at a time: while another instance runs a job (its timer fired at the same
minute on another machine), the command says so and does nothing; two started together send each reminder once.
On PostgreSQL (an advisory lock) and SQLite (a lock file beside the database)."""

import threading
from datetime import UTC, date, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import create_engine, func, select, text

from ep_events import schedule
from ep_events.bookings.reminders import send_due_reminders
from ep_events.core.jobs import _advisory_key, one_at_a_time
from ep_events.extensions import db
from ep_events.notifications.models import OutboxMessage
from ep_events.surgeries.bookings import book_slot
from tests import factories

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
JOBS = tuple(job.name for job in schedule.JOBS)


def _reminders_queued() -> int:
    return db.session.execute(select(func.count(OutboxMessage.id))
                              .where(OutboxMessage.kind == "surgeries/reminder")).scalar_one()


def _booking_due_a_reminder():
    """A booking whose day-before reminder is due at the returned moment."""
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, day=date(2026, 12, 15), now=NOW, teams_url=factories.TEAMS_URL)
    booking, _ = book_slot(surgery_date.slots[0], factories.user(email="keep@example.org"), "general", now=NOW)
    booking.created_at = NOW
    db.session.commit()
    return surgery_date.slots[0].starts_at - timedelta(hours=23)


def _run(app, job: str) -> str:
    result = app.test_cli_runner().invoke(args=[job])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.output


def test_on_sqlite_a_job_another_instance_is_running_is_left_alone(app):
    due = _booking_due_a_reminder()
    with freeze_time(due):
        for job in JOBS:
            with one_at_a_time(job) as mine:  # this test is "the other instance"
                assert mine
                assert _run(app, job) == f"{job}: another instance is running it; nothing done here\n"
        assert _reminders_queued() == 0
        assert "reminders queued: 1" in _run(app, "send-reminders")
        assert "reminders queued: 0" in _run(app, "send-reminders")
    db.session.expire_all()
    assert _reminders_queued() == 1


def test_on_postgresql_a_job_another_instance_is_running_is_left_alone(pg_app):
    due = _booking_due_a_reminder()
    other = create_engine(pg_app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as conn, freeze_time(due):
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _advisory_key("send-reminders")})
            assert _run(pg_app, "send-reminders") == ("send-reminders: another instance is running it; "
                                                      "nothing done here\n")
            assert "purge-outbox: another" not in _run(pg_app, "purge-outbox")  # each job has its own lock
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _advisory_key("send-reminders")})
            assert "reminders queued: 1" in _run(pg_app, "send-reminders")
    finally:
        other.dispose()
    db.session.expire_all()
    assert _reminders_queued() == 1


def test_on_postgresql_two_instances_started_together_send_each_reminder_once(pg_app):
    """What the command does, in two threads at once (click's test runner swaps sys.stdout, so it cannot)."""
    due = _booking_due_a_reminder()
    results, start = [], threading.Barrier(2)

    def instance():
        with pg_app.app_context():
            start.wait()
            with one_at_a_time("send-reminders") as mine:
                results.append(send_due_reminders() if mine else "left alone")
                db.session.commit()
            db.session.remove()

    with freeze_time(due):
        threads = [threading.Thread(target=instance) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(results, key=str) in ([0, 1], [1, "left alone"])
    db.session.expire_all()
    assert _reminders_queued() == 1
