"""The outbox loses no email and sends none twice: mail server down, retries, crashed and concurrent workers."""

import threading
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from email.parser import BytesHeaderParser

import pytest
from aiosmtpd.controller import Controller
from freezegun import freeze_time
from sqlalchemy import select

from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.notifications.devmail import CatchingHandler, start_mail_catcher
from ep_events.notifications.models import OutboxMessage, OutboxStatus
from ep_events.notifications.outbox import CLAIM_LEASE, claim_due, deliver_all, queue_email, resend_message
from ep_events.surgeries.bookings import user_bookings
from ep_events.surgeries.models import SurgeryBooking
from tests import factories
from tests.conftest import free_port, make_app


@contextmanager
def outbox_app(tmp_path, smtp_port: int, **config):
    """An app on its own SQLite file whose mail goes to `smtp_port`."""
    app = make_app(f"sqlite:///{tmp_path / 'outbox.db'}", smtp_port, DEV_MAIL_DIR=str(tmp_path / "mail"))
    app.config.update(config)  # make_app fixes OUTBOX_BACKOFF_SECONDS=0; some tests need another value
    with app.app_context():
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


@contextmanager
def mail_server(port: int, handler=None):
    controller = Controller(handler or CatchingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller.handler
    finally:
        controller.stop()


def queue(app, count: int) -> list[str]:
    """Queue `count` emails and commit; returns their Message-IDs."""
    ids = []
    with app.test_request_context():
        for n in range(count):
            message = queue_email(f"person{n}@example.org", "notifications/invite",
                                  subject=f"Booking {n}", lines=[f"Booking number {n}."], url=None)
            ids.append(message.message_id)
        db.session.commit()
    return ids


def received(handler) -> Counter:
    """How many times the SMTP server received each Message-ID."""
    headers = BytesHeaderParser()
    return Counter(headers.parsebytes(caught.raw)["Message-ID"] for caught in list(handler.messages))


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def stopped_mail_server_port() -> int:
    """A port where a real catcher ran and was stopped, so connections are refused."""
    port = free_port()
    controller, _ = start_mail_catcher(port)
    controller.stop()
    return port


# --- Mail server down -----------------------------------------------------------------------------

def test_no_email_is_lost_while_the_mail_server_is_down_and_each_is_sent_once_when_it_is_back(tmp_path):
    port = stopped_mail_server_port()
    with outbox_app(tmp_path, port) as app:
        ids = queue(app, 7)

        assert deliver_all("worker") == (0, 7)
        pending = rows()
        assert [m.status for m in pending] == [OutboxStatus.PENDING] * 7
        assert [m.attempts for m in pending] == [1] * 7
        assert all("ConnectionRefusedError" in m.last_error for m in pending)
        assert [m.message_id for m in pending] == ids

        with mail_server(port) as handler:
            assert deliver_all("worker") == (7, 0)
            assert deliver_all("worker") == (0, 0)
            assert received(handler) == Counter({message_id: 1 for message_id in ids})

        sent = rows()
        assert [m.status for m in sent] == [OutboxStatus.SENT] * 7
        assert [m.attempts for m in sent] == [2] * 7
        assert all(m.last_error == "" and m.sent_at is not None for m in sent)


def test_a_run_with_the_mail_server_down_tries_each_message_once_and_stops(tmp_path):
    """With no backoff (the test setting) a failed message still waits for the next run."""
    with outbox_app(tmp_path, stopped_mail_server_port()) as app:
        queue(app, 3)
        assert deliver_all("worker") == (0, 3)
        assert [m.attempts for m in rows()] == [1, 1, 1]


class RefusesFirstAttempt(CatchingHandler):
    """Answers each new Message-ID with a temporary failure, then accepts it when it comes again."""

    def __init__(self):
        super().__init__()
        self.refused: set[bytes] = set()

    async def handle_DATA(self, server, session, envelope):
        message_id = next(line for line in envelope.content.splitlines() if line.startswith(b"Message-ID:"))
        if message_id not in self.refused:
            self.refused.add(message_id)
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


def test_a_message_the_server_refuses_for_now_is_retried_and_sent_once(tmp_path):
    port = free_port()
    with mail_server(port, RefusesFirstAttempt()) as handler, outbox_app(tmp_path, port) as app:
        ids = queue(app, 3)
        assert deliver_all("worker") == (0, 3)
        assert all("451" in m.last_error and m.status is OutboxStatus.PENDING for m in rows())

        assert deliver_all("worker") == (3, 0)
        assert received(handler) == Counter({message_id: 1 for message_id in ids})


# --- Giving up and resending ----------------------------------------------------------------------

def test_a_message_fails_after_the_maximum_attempts_and_an_admin_can_resend_it_once(tmp_path):
    port = stopped_mail_server_port()
    with outbox_app(tmp_path, port) as app:
        (message_id,) = queue(app, 1)
        max_attempts = app.config["OUTBOX_MAX_ATTEMPTS"]

        for attempt in range(1, max_attempts + 1):
            assert deliver_all("worker") == (0, 1)
            (message,) = rows()
            assert message.attempts == attempt
        assert message.status is OutboxStatus.FAILED
        assert "ConnectionRefusedError" in message.last_error
        assert deliver_all("worker") == (0, 0)  # a failed message is not tried again by itself

        with mail_server(port) as handler:
            assert deliver_all("worker") == (0, 0)
            assert resend_message(factories.admin(), message) is True
            db.session.commit()
            assert deliver_all("worker") == (1, 0)
            assert deliver_all("worker") == (0, 0)

            (message,) = rows()
            assert message.status is OutboxStatus.SENT
            assert received(handler) == Counter({message_id: 1})

            # Resubmitting the resend form after the retry went out sends nothing again.
            assert resend_message(factories.admin(), message) is False
            db.session.commit()
            assert deliver_all("worker") == (0, 0)
            assert received(handler) == Counter({message_id: 1})


def test_retries_back_off_exponentially(tmp_path):
    with outbox_app(tmp_path, stopped_mail_server_port(), OUTBOX_BACKOFF_SECONDS=60) as app:
        with freeze_time("2026-03-02 09:00:00", real_asyncio=True) as clock:
            queue(app, 1)
            delays = []
            for _ in range(4):
                attempted_at = utcnow()
                assert deliver_all("worker") == (0, 1)
                (message,) = rows()
                delay = message.next_attempt_at - attempted_at
                delays.append(delay.total_seconds())

                clock.tick(delay - timedelta(seconds=1))
                assert deliver_all("worker") == (0, 0)  # not yet due
                clock.tick(timedelta(seconds=1))

        assert delays == [60, 120, 240, 480]
        assert message.attempts == 4


# --- Concurrent workers ---------------------------------------------------------------------------

def run_workers(app, count: int, batch: int) -> list[tuple[int, int]]:
    """Run `count` workers at once, each in its own thread and app context (so its own session)."""
    start = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def work(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                results[n] = deliver_all(f"worker-{n}", batch=batch)
                db.session.remove()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def assert_each_sent_once(ids, handler, results) -> None:
    assert sum(sent for sent, _ in results) == len(ids)
    assert sum(failed for _, failed in results) == 0
    counts = received(handler)
    assert sum(counts.values()) == len(ids) == 200
    assert counts == Counter({message_id: 1 for message_id in ids})
    assert {m.status for m in rows()} == {OutboxStatus.SENT}
    assert {m.attempts for m in rows()} == {1}


def test_two_workers_on_sqlite_never_send_the_same_message(tmp_path, mailbox):
    with outbox_app(tmp_path, mailbox.port) as app:
        ids = queue(app, 200)
        results = run_workers(app, 4, batch=10)
        assert_each_sent_once(ids, mailbox, results)


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_send_the_same_message(pg_app, mailbox):
    ids = queue(pg_app, 200)
    results = run_workers(pg_app, 4, batch=10)
    assert_each_sent_once(ids, mailbox, results)


@pytest.mark.postgres
def test_a_crashed_worker_on_postgresql_loses_nothing(pg_app, mailbox):
    ids = queue(pg_app, 5)
    assert_reclaimed_after_lease(ids, mailbox)


# --- A worker killed mid-batch --------------------------------------------------------------------

def test_a_worker_killed_mid_batch_loses_nothing_and_its_messages_go_once_after_the_lease(tmp_path, mailbox):
    with outbox_app(tmp_path, mailbox.port) as app:
        ids = queue(app, 5)
        assert_reclaimed_after_lease(ids, mailbox)


def assert_reclaimed_after_lease(ids, handler) -> None:
    claimed = claim_due("killed-worker")  # ... and the worker dies before sending or recording anything
    assert [m.message_id for m in claimed] == ids
    assert {m.status for m in rows()} == {OutboxStatus.SENDING}

    assert deliver_all("worker") == (0, 0)  # still leased to the killed worker
    with freeze_time(utcnow() + CLAIM_LEASE - timedelta(seconds=5), real_asyncio=True):
        assert deliver_all("worker") == (0, 0)
    with freeze_time(utcnow() + CLAIM_LEASE + timedelta(seconds=5), real_asyncio=True):
        assert deliver_all("worker") == (len(ids), 0)
        assert deliver_all("worker") == (0, 0)

    assert received(handler) == Counter({message_id: 1 for message_id in ids})
    assert {m.status for m in rows()} == {OutboxStatus.SENT}
    assert all(m.claimed_by.startswith("worker:") for m in rows())



def test_bookings_succeed_while_the_mail_server_is_down_and_their_emails_go_once_when_it_is_back(tmp_path):
    from tests import factories

    port = stopped_mail_server_port()
    with outbox_app(tmp_path, port) as app:
        programme = factories.surgery_programme()
        surgery_date = factories.surgery_date(programme, days_ahead=10)
        people = [factories.user() for _ in surgery_date.slots]
        db.session.commit()
        client = app.test_client()
        for slot, person in zip(surgery_date.slots, people):
            client.post("/sign-out")
            client.post("/sign-in", data={"email": person.email, "password": factories.PASSWORD})
            response = client.post(f"/surgeries/slots/{slot.id}/book", data={"theme": "general"})
            assert response.status_code == 302  # booked, although no email can be sent now
        assert deliver_all("worker") == (0, 3)
        db.session.expire_all()
        assert len(db.session.execute(select(SurgeryBooking)).scalars().all()) == 3
        with mail_server(port) as handler:
            assert deliver_all("worker") == (3, 0)
            assert deliver_all("worker") == (0, 0)
            assert sorted(caught.recipients[0] for caught in handler.messages) == sorted(p.email for p in people)
            assert all(count == 1 for count in received(handler).values())
        assert user_bookings(people[0])[0].is_confirmed
