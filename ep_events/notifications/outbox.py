"""The outbox: emails are queued in the caller's transaction and delivered later by a worker.

Delivery claims rows atomically (FOR UPDATE SKIP LOCKED on PostgreSQL, a single UPDATE on SQLite,
which holds the database write lock), so two workers never send the same row. A row claimed by a
worker that died is claimed again after CLAIM_LEASE; its Message-ID is unchanged, so a resend is
recognisable.

Personal data: a message carrying a secret link (reset, confirmation, email change) has its bodies
blanked as soon as it is sent; every other sent message has them blanked OUTBOX_RETENTION_DAYS after
sending (`flask purge-outbox`); messages to or about a deleted person are erased (`erase_messages_about`).
"""

import smtplib
import socket
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid

from flask import current_app, render_template
from sqlalchemy import and_, func, or_, select, update

from ep_events.core.audit import record_audit
from ep_events.core.mentions import mentions_any
from ep_events.core.secret_urls import contains_secret_url
from ep_events.core.time import utcnow
from ep_events.extensions import db, mail
from ep_events.notifications.models import AfterSending, OutboxMessage, OutboxStatus

CLAIM_LEASE = timedelta(minutes=10)


def render_email(template: str, **context) -> tuple[str, str, str]:
    """Render templates/emails/<template>.{subject.txt,txt,html} into (subject, text, html)."""
    subject = render_template(f"emails/{template}.subject.txt", **context).strip()
    text = render_template(f"emails/{template}.txt", **context)
    # The html layout shows the rendered subject; a template may also take `subject` as its input.
    html = render_template(f"emails/{template}.html", **{**context, "subject": subject})
    return subject, text, html


def queue_email(recipient: str, template: str, calendar: str | None = None,
                calendar_method: str | None = None, sender: str | None = None,
                attachment: tuple[str, str, bytes] | None = None, headers: dict[str, str] | None = None,
                mailing_id: int | None = None, **context) -> OutboxMessage:
    """Write an outbox row in the current transaction: no email is sent unless the change commits."""
    subject, text, html = render_email(template, **context)
    return queue_rendered(recipient, template, subject, text, html, calendar=calendar,
                          calendar_method=calendar_method, sender=sender, attachment=attachment, headers=headers,
                          mailing_id=mailing_id)


def queue_rendered(recipient: str, kind: str, subject: str, text: str, html: str, calendar: str | None = None,
                   calendar_method: str | None = None, sender: str | None = None,
                   attachment: tuple[str, str, bytes] | None = None, headers: dict[str, str] | None = None,
                   mailing_id: int | None = None, flush: bool = True) -> OutboxMessage:
    """queue_email for an email already rendered (a mailing renders its text once for all its recipients);
    with flush=False the caller flushes many at once."""
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].strip(">").strip() or "example.org"
    message = OutboxMessage(
        message_id=make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain),
        kind=kind,
        sender=sender or current_app.config["MAIL_DEFAULT_SENDER"],
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        calendar=calendar,
        calendar_method=calendar_method,
        # (filename, MIME type, bytes)
        attachment_filename=attachment[0] if attachment else None,
        attachment_mimetype=attachment[1] if attachment else None,
        attachment_data=attachment[2] if attachment else None,
        headers=_checked_headers(headers),
        mailing_id=mailing_id,
        # Found in what was rendered rather than flagged by each caller, so no new kind of link email is missed.
        after_sending=(AfterSending.BLANK_BODIES if contains_secret_url(text) or contains_secret_url(html)
                       else AfterSending.KEEP),
    )
    db.session.add(message)
    if flush:
        db.session.flush()
    return message


def _checked_headers(headers: dict[str, str] | None) -> dict[str, str] | None:
    """Extra headers, refused if a name or value could inject another header (CR or LF)."""
    if not headers:
        return None
    for name, value in headers.items():
        if any(c in f"{name}{value}" for c in "\r\n\0") or not name.replace("-", "").isalnum():
            raise ValueError(f"Unsafe email header {name!r}")
    return dict(headers)


def build_mime(message: OutboxMessage) -> EmailMessage:
    """multipart/mixed > multipart/alternative (text, html[, text/calendar]) [+ invite.ics]."""
    mime = EmailMessage()
    mime["Subject"] = message.subject
    mime["From"] = message.sender
    mime["To"] = message.recipient
    mime["Message-ID"] = message.message_id
    mime["Date"] = format_datetime(message.created_at, usegmt=True)
    for name, value in (message.headers or {}).items():
        mime[name] = value
    # Quoted-printable keeps every line within SMTP's limit whatever the template produced.
    mime.set_content(message.body_text, subtype="plain", charset="utf-8", cte="quoted-printable")
    mime.add_alternative(message.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    if message.calendar:
        method = (message.calendar_method or "REQUEST").upper()
        mime.add_alternative(message.calendar, subtype="calendar", charset="utf-8", cte="quoted-printable",
                             params={"method": method})
        mime.make_mixed()
        mime.add_attachment(message.calendar.encode("utf-8"), maintype="application", subtype="ics",
                            filename="invite.ics")
    if message.attachment_data is not None:
        maintype, _, subtype = (message.attachment_mimetype or "application/octet-stream").partition("/")
        mime.add_attachment(message.attachment_data, maintype=maintype, subtype=subtype,
                            filename=message.attachment_filename or "attachment")
    return mime


def claim_due(worker: str, limit: int = 50, due_by: datetime | None = None) -> list[OutboxMessage]:
    """Atomically mark up to `limit` due rows as being sent by this worker, and return them.

    A row is due when it is pending and its next attempt is at or before `due_by` (default now), or
    when another worker claimed it more than CLAIM_LEASE ago and never finished.
    """
    now = utcnow()
    due_by = now if due_by is None else min(due_by, now)
    due = or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= due_by),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now - CLAIM_LEASE),
    )
    candidates = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    token = f"{worker[:60]}:{uuid.uuid4().hex[:8]}"  # claimed_by holds 80 characters
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates.scalar_subquery()), due)
        .values(status=OutboxStatus.SENDING, claimed_by=token, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.execute(
        select(OutboxMessage).where(OutboxMessage.claimed_by == token,
                                    OutboxMessage.status == OutboxStatus.SENDING)
        .order_by(OutboxMessage.id)
    ).scalars())


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    config = current_app.config
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.claimed_by = None
    if message.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
    else:
        message.status = OutboxStatus.PENDING
        delay = config["OUTBOX_BACKOFF_SECONDS"] * (2 ** (message.attempts - 1))
        message.next_attempt_at = utcnow() + timedelta(seconds=delay)


def _erase_after_sending(message: OutboxMessage) -> None:
    if message.after_sending is AfterSending.BLANK_BODIES:
        message.erase_bodies(message.sent_at)
    elif message.after_sending is AfterSending.ERASE:
        message.erase(message.sent_at)


def deliver_due(worker: str = "worker", limit: int = 50, due_by: datetime | None = None) -> tuple[int, int]:
    """Send up to `limit` due messages once each over SMTP; returns (sent, failed attempts)."""
    messages = claim_due(worker, limit, due_by)
    if not messages:
        return 0, 0
    sent = failed = 0
    try:
        connection = mail.connect()
        connection.__enter__()
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            _record_failure(message, error)
        db.session.commit()
        return 0, len(messages)
    try:
        for message in messages:
            try:
                mime = build_mime(message)
                payload = mime.as_bytes(policy=SMTP_POLICY)
            except Exception as error:  # a row that cannot be rendered must not hold up the rest of the batch
                _record_failure(message, error)
                failed += 1
                db.session.commit()
                continue
            try:
                connection.host.sendmail(mime["From"], [message.recipient], payload)
            except (OSError, smtplib.SMTPException) as error:
                _record_failure(message, error)
                failed += 1
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = utcnow()
                message.attempts += 1
                message.last_error = ""
                _erase_after_sending(message)
                sent += 1
            db.session.commit()
    finally:
        try:
            connection.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException, socket.error):
            pass
    return sent, failed


def deliver_all(worker: str = "worker", batch: int = 50) -> tuple[int, int]:
    """Deliver, batch by batch, what was due when the run started (used by tests and `flask send-outbox`).

    A message that fails in this run waits for its backoff and a later run, even when the backoff is 0,
    so a run with the mail server down makes one attempt per message and stops.
    """
    started = utcnow()
    total_sent = total_failed = 0
    while True:
        sent, failed = deliver_due(worker, batch, due_by=started)
        total_sent += sent
        total_failed += failed
        if sent == 0:  # nothing left, or the mail server is refusing everything: try again next run
            return total_sent, total_failed


def list_messages(status: OutboxStatus | None = None, limit: int = 200) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.execute(query).scalars())


def resend_message(actor, message: OutboxMessage) -> bool:
    """Put a failed message back in the queue, keeping its Message-ID; False if it had not failed.

    Only a failed message goes back: resubmitting the form after the retry was sent sends nothing twice.
    """
    if message.status is not OutboxStatus.FAILED:
        return False
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_by = None
    record_audit(actor, "outbox.resend", message, f"Resent {message.subject} to {message.recipient}")
    return True


def purge_sent_bodies(now: datetime | None = None) -> int:
    """Blank the bodies and calendar of messages sent more than OUTBOX_RETENTION_DAYS ago; safe to run twice."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["OUTBOX_RETENTION_DAYS"])
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < cutoff,
               OutboxMessage.bodies_erased_at.is_(None))
        .values(body_text="", body_html="", calendar=None, attachment_data=None, bodies_erased_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def last_message_id() -> int:
    return db.session.execute(select(func.coalesce(func.max(OutboxMessage.id), 0))).scalar_one()


_PERSONAL_COLUMNS = ("recipient", "subject", "body_text", "body_html", "calendar", "last_error")


def erase_messages_about(terms: set[str], keep_queued_after: int, now: datetime | None = None) -> None:
    """Erase the messages to or about a person who is going (their addresses and names are `terms`).

    Unsent ones are deleted, sent ones erased now. Those queued after message `keep_queued_after`
    (telling the person and their colleagues that the bookings are cancelled) still go, and are
    erased as they are sent; so does one a worker is sending at this moment.
    """
    now = now or utcnow()
    terms = {term for term in terms if term}
    # Calendar lines are folded (RFC 5545 §3.1), possibly inside an address: unfold before searching.
    unfolded = {column: func.replace(func.replace(getattr(OutboxMessage, column), "\r\n ", ""), "\n ", "")
                for column in _PERSONAL_COLUMNS}
    candidates = db.session.execute(select(OutboxMessage).where(or_(*(
        unfolded[column].ilike(f"%{term}%") for column in _PERSONAL_COLUMNS for term in terms
    )))).scalars().all()
    for message in candidates:
        if not any(mentions_any(getattr(message, column) or "", terms) for column in _PERSONAL_COLUMNS):
            continue
        if message.status is OutboxStatus.SENT:
            message.erase(now)
        elif message.status is OutboxStatus.SENDING or message.id > keep_queued_after:
            message.after_sending = AfterSending.ERASE
        else:
            db.session.delete(message)
    db.session.flush()
