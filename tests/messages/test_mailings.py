"""The mailing service: one email to many, checked, stored once, queued in batches, counted from the outbox."""

import secrets
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from ep_events.extensions import db
from ep_events.notifications.mailings import (
    MailingProgress,
    MailingRefused,
    Recipient,
    mailing_progress,
    preview_mailing,
    queue_all,
    queue_next_batch,
    send_test,
    start_mailing,
)
from ep_events.notifications.models import Mailing, MailingKind, MailingStatus, OutboxMessage
from ep_events.notifications.outbox import deliver_all
from tests import factories

NOW = datetime(2027, 3, 10, 9, 0, 12, tzinfo=timezone.utc)


def key() -> str:
    return secrets.token_urlsafe(24)


@pytest.fixture
def world(app):
    programme = factories.programme(kind="workshops")
    organiser = factories.user(name="Olive Organiser", email="olive@example.org")
    return programme, organiser


def start(world, recipients, subject="Hope boxes: a new workshop", body="Join us.\n\nhttps://example.org/w/1",
          idempotency_key=None, kind=MailingKind.ANNOUNCEMENT):
    programme, organiser = world
    return start_mailing(organiser, kind, programme, None, subject, body, recipients, idempotency_key or key())


def people(n, **extra):
    return [Recipient(f"subscriber{i}@example.org", f"Subscriber {i}", **extra) for i in range(n)]


def test_a_mailing_stores_each_address_once(world):
    mailing = start(world, [Recipient("Ann@Example.org", "Ann"), Recipient("ann@example.org ", "Ann again"),
                            Recipient("bob@example.org", "Bob")])
    assert mailing.recipients_total == 2
    assert mailing.status is MailingStatus.SENDING


def test_the_same_key_returns_the_mailing_already_started(world):
    k = key()
    first = start(world, people(3), idempotency_key=k)
    db.session.commit()
    again = start(world, people(5), idempotency_key=k)
    assert again.id == first.id
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 1


def test_a_key_reused_by_someone_else_is_refused(world, app):
    k = key()
    start(world, people(1), idempotency_key=k)
    other = (world[0], factories.user())
    with pytest.raises(MailingRefused):
        start(other, people(1), idempotency_key=k)


@pytest.mark.parametrize("subject", ["Hello\r\nBcc: victim@example.org", "Hello\nthere", "Tab\tin subject"])
def test_a_subject_with_a_line_break_is_refused(world, subject):
    with pytest.raises(MailingRefused, match="one line") as error:
        start(world, people(1), subject=subject)
    assert error.value.field == "subject"
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 0


def test_a_subject_over_300_characters_is_refused(world):
    with pytest.raises(MailingRefused, match="300 characters"):
        start(world, people(1), subject="x" * 301)


def test_a_body_of_one_megabyte_is_refused(world):
    with pytest.raises(MailingRefused, match="50,000 characters or fewer") as error:
        start(world, people(1), body="a" * 1024 * 1024)
    assert error.value.field == "body"


def test_batches_respect_the_per_minute_budget(world, app):
    mailing = start(world, people(450))
    db.session.commit()
    assert queue_next_batch(NOW, per_minute=200) == 200
    assert queue_next_batch(NOW.replace(second=59), per_minute=200) == 0  # same clock minute: nothing more
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 200
    assert queue_next_batch(NOW.replace(minute=1), per_minute=200) == 200
    assert mailing_progress(mailing).queued == 400
    db.session.refresh(mailing)
    assert mailing.status is MailingStatus.SENDING
    assert queue_next_batch(NOW.replace(minute=2), per_minute=200) == 50
    db.session.refresh(mailing)
    assert mailing.status is MailingStatus.QUEUED
    assert queue_next_batch(NOW.replace(minute=3), per_minute=200) == 0


def test_the_default_budget_is_the_setting(world, app):
    app.config["MAILING_BATCH_PER_MINUTE"] = 7
    start(world, people(10))
    db.session.commit()
    assert queue_next_batch(NOW) == 7


def test_progress_counts_queued_sent_and_failed_from_the_outbox(world, mailbox):
    mailing = start(world, people(3))
    db.session.commit()
    assert mailing_progress(mailing) == MailingProgress(total=3, queued=0, sent=0, failed=0)
    queue_all()
    progress = mailing_progress(mailing)
    assert (progress.total, progress.queued, progress.sent, progress.failed) == (3, 3, 0, 0)
    deliver_all("test")
    progress = mailing_progress(mailing)
    assert (progress.sent, progress.failed, progress.complete) == (3, 0, True)
    assert sorted(m.recipients[0] for m in mailbox.messages) == [f"subscriber{i}@example.org" for i in range(3)]


def test_the_body_is_plain_text_escaped_in_html_with_paragraphs_and_links(world, mailbox):
    body = "Dear all,\n<script>alert(1)</script> & <b>bold</b>\n\nSee https://example.org/workshops/1."
    start(world, [Recipient("ann@example.org", "Ann", unsubscribe_url="https://example.org/u/abc",
                            headers={"List-Unsubscribe": "<https://example.org/u/abc>"})], body=body)
    db.session.commit()
    queue_all()
    deliver_all("test")
    [message] = mailbox.messages
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert "&lt;b&gt;bold&lt;/b&gt;" in message.html
    assert "<p>Dear all,<br>" in message.html
    assert '<a href="https://example.org/workshops/1">https://example.org/workshops/1</a>.' in message.html
    assert '<a href="https://example.org/u/abc">Unsubscribe from this list</a>' in message.html
    assert "<script>alert(1)</script>" in message.text  # the text version is the text as typed
    assert "unsubscribe: https://example.org/u/abc" in message.text
    assert message.message["List-Unsubscribe"] == "<https://example.org/u/abc>"


def test_preview_and_test_send(world, mailbox):
    programme, organiser = world
    preview = preview_mailing("Hello", "Line one\nLine two")
    assert preview.subject == "Hello"
    assert "Line one\nLine two" in preview.text
    assert "Line one<br>Line two" in preview.html
    send_test(organiser, "Hello", "Line one")
    db.session.commit()
    deliver_all("test")
    [message] = mailbox.messages
    assert message.recipients == ["olive@example.org"]
    assert message.subject == "Test: Hello"
    assert db.session.execute(select(func.count(Mailing.id))).scalar_one() == 0
