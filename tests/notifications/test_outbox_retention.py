"""What the outbox keeps after sending: no live link at all, other emails' text for a set time only."""

import re
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import select

from ep_events.accounts import services as accounts
from ep_events.cli import scheduled_jobs
from ep_events.extensions import db
from ep_events.notifications.models import AfterSending, OutboxMessage
from ep_events.notifications.outbox import queue_email
from ep_events.surgeries.bookings import book_slot
from tests import factories
from tests.accounts.test_account_deletion import where_they_remain

SENT_AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def body_of(caught) -> str:
    return caught.text


def test_a_reset_link_reaches_the_person_but_is_not_kept_once_sent(app, deliver):
    user = factories.user()
    db.session.commit()
    accounts.request_password_reset(user.email)
    db.session.commit()
    row = db.session.execute(select(OutboxMessage)).scalar_one()
    assert row.after_sending is AfterSending.BLANK_BODIES
    email, = deliver()
    token = re.search(r"/reset-password/([\w-]+)", body_of(email)).group(1)
    db.session.expire_all()
    assert row.body_text == row.body_html == "" and row.bodies_erased_at is not None
    assert row.recipient == user.email and row.subject == email.subject  # the delivery record stays
    assert where_they_remain(token) == []


def test_a_confirmation_link_is_not_kept_once_sent(app, deliver):
    accounts.sign_up("New Person", "new.person@example.org", "Social worker", None, "Somewhere",
                     "long-enough-password")
    db.session.commit()
    email, = deliver()
    token = re.search(r"/confirm/([\w-]+)", body_of(email)).group(1)
    assert where_they_remain(token) == []


def test_every_email_that_carries_a_secret_link_is_marked_when_queued(app):
    """Found in the rendered text, whatever the kind of email: any route taking a token, now or later."""
    adapter = app.url_map.bind("localhost")
    secret_rules = [r for r in app.url_map.iter_rules() if "token" in r.arguments]
    assert secret_rules
    for rule in secret_rules:
        url = adapter.build(rule.endpoint, {a: ("abc123XYZ" if a == "token" else 1) for a in rule.arguments},
                            force_external=True)
        message = queue_email("someone@example.org", "notifications/invite", lines=["Your link:"], url=url)
        assert message.after_sending is AfterSending.BLANK_BODIES, rule.rule
    plain = queue_email("someone@example.org", "notifications/invite", lines=["Hello"], url="http://localhost/")
    assert plain.after_sending is AfterSending.KEEP


def sent_booking_email(deliver):
    programme = factories.surgery_programme()
    surgery_date = factories.surgery_date(programme, days_ahead=10, now=SENT_AT)
    book_slot(surgery_date.slots[0], factories.user(), "general", now=SENT_AT)
    db.session.commit()
    deliver()
    return db.session.execute(select(OutboxMessage)).scalar_one()


def test_sent_emails_keep_their_text_for_the_retention_period_then_flask_purge_outbox_blanks_it(app, deliver):
    app.config["OUTBOX_RETENTION_DAYS"] = 30
    with freeze_time(SENT_AT):
        row = sent_booking_email(deliver)
    assert row.after_sending is AfterSending.KEEP and row.body_text and row.calendar
    runner = app.test_cli_runner()
    with freeze_time(SENT_AT + timedelta(days=29, hours=23)):
        assert "sent emails erased: 0" in runner.invoke(args=["purge-outbox"]).output
    db.session.expire_all()
    assert row.body_text and row.calendar
    with freeze_time(SENT_AT + timedelta(days=30, minutes=1)):
        assert "sent emails erased: 1" in runner.invoke(args=["purge-outbox"]).output
        assert "sent emails erased: 0" in runner.invoke(args=["purge-outbox"]).output  # twice does nothing twice
    db.session.expire_all()
    assert row.body_text == row.body_html == "" and row.calendar is None
    assert row.bodies_erased_at == SENT_AT + timedelta(days=30, minutes=1)
    assert row.subject.startswith("Surgery booked")


def test_the_scheduled_jobs_purge_old_sent_emails(app, deliver):
    with freeze_time(SENT_AT):
        row = sent_booking_email(deliver)
    with freeze_time(SENT_AT + timedelta(days=31)):
        for job in scheduled_jobs():
            job()
    db.session.expire_all()
    assert row.body_text == "" and row.calendar is None


def test_the_privacy_page_states_the_retention_period(client, app):
    app.config["OUTBOX_RETENTION_DAYS"] = 45
    page = client.get("/privacy").get_data(as_text=True)
    assert "A copy of each email we send you</th>" in page
    assert "45 days after sending, then its text is erased" in page
    assert "erased as soon as they are sent" in page
