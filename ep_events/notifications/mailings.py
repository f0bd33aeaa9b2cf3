"""Mailings: one email composed by an organiser and sent to many people (an announcement to an invitation list,
a message to everyone booked on an event).

Sending is in two steps so a big list neither blocks the request nor floods the mail server:

1. `start_mailing` checks the text and stores the mailing with its recipients, fixed at that moment (each with
   their own unsubscribe link and headers), in one transaction. The form's one-time key makes a double click,
   or a resubmitted form, find the mailing already started instead of starting a second one.
2. `queue_next_batch`, run every minute (`flask send-mailings`), writes the outbox messages of at most
   MAILING_BATCH_PER_MINUTE recipients in each clock minute, marking them queued in the same transaction. The
   outbox then delivers them with its retries: with the mail server down nothing is lost, and a recipient's
   message is written once whatever happens to its delivery.

Progress is counted from the outbox by `mailing_id`. This module knows nothing of programmes: callers give the
recipients (and their unsubscribe links) and check who may send.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from markupsafe import escape
from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.notifications.models import (
    Mailing,
    MailingKind,
    MailingRecipient,
    MailingStatus,
    OutboxMessage,
    OutboxStatus,
)
from ep_events.notifications.outbox import queue_email, queue_rendered, render_email

SUBJECT_MAX = 300
BODY_MAX = 50_000
TEMPLATE = "notifications/mailing"
# The one-time key the compose form carries (secrets.token_urlsafe(24) is 32 characters).
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Control characters other than tab and new line: in a subject CR/LF could inject headers; in the body none
# is typed by a person (NUL and lone surrogates are refused for every request before this).
_SUBJECT_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
_BODY_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’]")


class MailingRefused(DomainError):
    """The subject, body or form key cannot be sent."""


@dataclass(frozen=True)
class Recipient:
    """One person to send to, with what is theirs alone: their invitation list entry, the personal unsubscribe
    link shown in the body, and the List-Unsubscribe headers."""

    email: str
    name: str = ""
    list_entry_id: int | None = None
    unsubscribe_url: str = ""
    headers: dict | None = field(default=None, hash=False)


@dataclass(frozen=True)
class MailingProgress:
    total: int
    queued: int
    sent: int
    failed: int

    @property
    def waiting(self) -> int:
        """Not yet sent or given up on: not queued yet, or queued and waiting for (or retrying) delivery."""
        return max(self.total - self.sent - self.failed, 0)

    @property
    def complete(self) -> bool:
        return self.waiting == 0


@dataclass(frozen=True)
class Preview:
    subject: str
    text: str
    html: str
    paragraphs: list = field(hash=False)  # the body as the HTML version shows it (see body_paragraphs)
    unsubscribe_note: str = ""


# --- Checking what was typed -------------------------------------------------------------------------------

def check_message(subject: str | None, body: str | None) -> tuple[str, str]:
    """The subject and body as they will be sent, or MailingRefused naming the field and why."""
    subject = (subject or "").strip()
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    if not subject:
        raise MailingRefused("Enter a subject", field="subject")
    if _SUBJECT_FORBIDDEN.search(subject):
        raise MailingRefused("The subject must be one line, without line breaks", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise MailingRefused(f"The subject must be {SUBJECT_MAX} characters or fewer", field="subject")
    if not body.strip():
        raise MailingRefused("Enter the message", field="body")
    if len(body) > BODY_MAX:
        raise MailingRefused(f"The message must be {BODY_MAX:,} characters or fewer (it has {len(body):,})",
                             field="body")
    if _BODY_FORBIDDEN.search(body):
        raise MailingRefused("The message contains a control character: type it again as plain text",
                             field="body")
    return subject, body.strip("\n").rstrip()


def body_paragraphs(body: str) -> list[list[list[tuple[str, bool]]]]:
    """The plain text an organiser typed, as paragraphs of lines of (text, is_link) pieces, for the HTML version:
    the template escapes every piece, so nothing typed is ever taken as HTML; web addresses become links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", body.strip()):
        lines = []
        for line in block.split("\n"):
            pieces, at = [], 0
            for match in _URL.finditer(line):
                if match.start() > at:
                    pieces.append((line[at:match.start()], False))
                pieces.append((match.group(0), True))
                at = match.end()
            if at < len(line):
                pieces.append((line[at:], False))
            lines.append(pieces)
        paragraphs.append(lines)
    return paragraphs


def _context(subject: str, body: str, unsubscribe_url: str = "", footer: str = "", test_note: str = "") -> dict:
    return {"mailing_subject": subject, "body": body, "paragraphs": body_paragraphs(body),
            "unsubscribe_url": unsubscribe_url, "footer": footer, "test_note": test_note}


def preview_mailing(subject: str, body: str, footer: str = "", unsubscribe_note: str = "") -> Preview:
    """The email as a recipient will see it, in text and HTML (checked first: MailingRefused if it cannot go)."""
    subject, body = check_message(subject, body)
    context = _context(subject, body, footer=footer)
    rendered = render_email(TEMPLATE, **context)
    return Preview(*rendered, paragraphs=context["paragraphs"], unsubscribe_note=unsubscribe_note)


def send_test(actor, subject: str, body: str, footer: str = "", list_note: bool = False) -> OutboxMessage:
    """One copy to the person composing, through the outbox; not part of any mailing and not counted."""
    subject, body = check_message(subject, body)
    note = ("This is a test. Each person on the list gets their own link to unsubscribe here."
            if list_note else "This is a test, sent only to you.")
    return queue_email(actor.email, TEMPLATE, **_context(subject, body, footer=footer, test_note=note))


def check_idempotency_key(key: str | None) -> str:
    if not key or not KEY_PATTERN.fullmatch(key):
        raise MailingRefused("This form has expired. Reload the page and send again.", field="subject")
    return key


# --- Starting ----------------------------------------------------------------------------------------------

def normalise_address(address: str) -> str:
    return (address or "").strip().lower()


def mailing_by_key(key: str) -> Mailing | None:
    return db.session.execute(select(Mailing).where(Mailing.idempotency_key == key)).scalar_one_or_none()


def _same_request(mailing: Mailing, actor, kind: MailingKind, programme, event) -> Mailing:
    """The mailing this form already started; a key reused for anything else is refused (never shown)."""
    if (mailing.kind is not kind or mailing.programme_id != programme.id
            or mailing.event_id != (event.id if event is not None else None)
            or mailing.created_by_id != getattr(actor, "id", None)):
        raise MailingRefused("This form has expired. Reload the page and send again.", field="subject")
    return mailing


def start_mailing(actor, kind: MailingKind, programme, event, subject: str, body: str,
                  recipients: list[Recipient], idempotency_key: str) -> Mailing:
    """Store the mailing and its recipients (one per address) in the caller's transaction, with an audit entry; the
    same key returns the mailing it started before, even when two submissions race (the loser's transaction is
    rolled back)."""
    key = check_idempotency_key(idempotency_key)
    existing = mailing_by_key(key)
    if existing is not None:
        return _same_request(existing, actor, kind, programme, event)
    subject, body = check_message(subject, body)
    unique: dict[str, Recipient] = {}
    for recipient in recipients:
        address = normalise_address(recipient.email)
        if address and "\n" not in address and "\r" not in address:
            unique.setdefault(address, recipient)
    if not unique:
        raise MailingRefused("There is nobody to send this to", field="subject")
    mailing = Mailing(kind=kind, programme_id=programme.id, event_id=event.id if event is not None else None,
                      subject=subject, body=body, created_by_id=getattr(actor, "id", None),
                      status=MailingStatus.SENDING, recipients_total=len(unique), idempotency_key=key)
    db.session.add(mailing)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request with this key committed first: this transaction has done nothing else yet.
        db.session.rollback()
        return _same_request(mailing_by_key(key), actor, kind, programme, event)
    record_audit(actor, "mailing.started", mailing,
                 f"{kind.label} \"{subject}\" to {len(unique)} {'person' if len(unique) == 1 else 'people'}")
    db.session.execute(insert(MailingRecipient), [
        {"mailing_id": mailing.id, "email": address, "name": (recipient.name or "")[:200],
         "list_entry_id": recipient.list_entry_id, "unsubscribe_url": recipient.unsubscribe_url or "",
         "headers": recipient.headers or None}
        for address, recipient in unique.items()
    ])
    return mailing


# --- Queuing into the outbox -------------------------------------------------------------------------------

def _minute_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def queue_next_batch(now: datetime | None = None, per_minute: int | None = None) -> int:
    """Write the outbox messages of recipients not yet queued, oldest mailing first, at most `per_minute`
    (MAILING_BATCH_PER_MINUTE) in one clock minute whatever the number of runs or workers; commits. Returns how
    many were queued. A recipient is claimed by an UPDATE that only touches rows still unqueued, so two workers
    never queue one recipient twice."""
    now = now or utcnow()
    per_minute = per_minute if per_minute is not None else current_app.config["MAILING_BATCH_PER_MINUTE"]
    # Serialise runs: this UPDATE locks the mailings being sent (PostgreSQL row locks; SQLite's write lock), so
    # a second worker waits here and then counts what the first one queued this minute.
    sending = list(db.session.execute(
        update(Mailing).where(Mailing.status == MailingStatus.SENDING).values(status=Mailing.status)
        .returning(Mailing.id).execution_options(synchronize_session=False)
    ).scalars())
    if not sending:
        db.session.commit()
        return 0
    minute = _minute_start(now)
    already = db.session.execute(select(func.count(MailingRecipient.id)).where(
        MailingRecipient.queued_at >= minute, MailingRecipient.queued_at < minute + timedelta(minutes=1)
    )).scalar_one()
    budget = per_minute - already
    queued = 0
    if budget > 0:
        candidates = (select(MailingRecipient.id)
                      .where(MailingRecipient.mailing_id.in_(sending), MailingRecipient.queued_at.is_(None))
                      .order_by(MailingRecipient.mailing_id, MailingRecipient.id).limit(budget))
        claimed = list(db.session.execute(
            update(MailingRecipient)
            .where(MailingRecipient.id.in_(candidates.scalar_subquery()), MailingRecipient.queued_at.is_(None))
            .values(queued_at=now).returning(MailingRecipient.id)
            .execution_options(synchronize_session=False)
        ).scalars())
        if claimed:
            queued = _queue_recipients(claimed)
    _mark_all_queued(sending)
    db.session.commit()
    return queued


def _queue_recipients(recipient_ids: list[int]) -> int:
    """One outbox message per recipient, written together. Each mailing is rendered once, with a placeholder
    where a recipient's own unsubscribe link goes: the same templates as a test or a preview, without rendering
    them thousands of times."""
    rows = db.session.execute(
        select(MailingRecipient, Mailing).join(Mailing, Mailing.id == MailingRecipient.mailing_id)
        .where(MailingRecipient.id.in_(recipient_ids)).order_by(MailingRecipient.id)
    ).all()
    placeholder = f"https://unsubscribe.invalid/{uuid.uuid4().hex}"
    rendered: dict[tuple[int, bool], tuple[str, str, str]] = {}
    for recipient, mailing in rows:
        with_link = bool(recipient.unsubscribe_url)
        if (mailing.id, with_link) not in rendered:
            rendered[(mailing.id, with_link)] = render_email(TEMPLATE, **_context(
                mailing.subject, mailing.body, unsubscribe_url=placeholder if with_link else "",
                footer=_footer(mailing)))
        subject, text, html = rendered[(mailing.id, with_link)]
        if with_link:
            text = text.replace(placeholder, recipient.unsubscribe_url)
            html = html.replace(placeholder, str(escape(recipient.unsubscribe_url)))
        queue_rendered(recipient.email, TEMPLATE, subject, text, html, headers=recipient.headers,
                       mailing_id=mailing.id, flush=False)
    db.session.flush()
    return len(rows)


def _footer(mailing: Mailing) -> str:
    if mailing.kind is MailingKind.ANNOUNCEMENT:
        return "You are getting this email because you joined this programme's invitation list."
    return "You are getting this email because you have a place on this event."


def _mark_all_queued(mailing_ids: list[int]) -> None:
    unqueued = exists().where(MailingRecipient.mailing_id == Mailing.id, MailingRecipient.queued_at.is_(None))
    db.session.execute(
        update(Mailing).where(Mailing.id.in_(mailing_ids), ~unqueued).values(status=MailingStatus.QUEUED)
        .execution_options(synchronize_session=False)
    )


def queue_all(now: datetime | None = None, per_minute: int | None = None) -> int:
    """Queue every waiting recipient now, minute budget or not (for tests and the bench)."""
    total = 0
    while queued := queue_next_batch(now, per_minute=per_minute if per_minute is not None else 10**9):
        total += queued
    return total


# --- Progress ----------------------------------------------------------------------------------------------

def mailing_progress(mailing: Mailing) -> MailingProgress:
    """How far a mailing has gone, counted in SQL: recipients, queued, and the outbox's sent and failed."""
    queued = db.session.execute(select(func.count(MailingRecipient.id)).where(
        MailingRecipient.mailing_id == mailing.id, MailingRecipient.queued_at.is_not(None))).scalar_one()
    by_status = dict(db.session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id))
        .where(OutboxMessage.mailing_id == mailing.id).group_by(OutboxMessage.status)
    ).all())
    return MailingProgress(total=mailing.recipients_total, queued=queued,
                           sent=by_status.get(OutboxStatus.SENT, 0), failed=by_status.get(OutboxStatus.FAILED, 0))


def mailings_for(programme, kind: MailingKind | None = None, event=None, limit: int = 20) -> list[Mailing]:
    """A programme's (or one event's) latest mailings, newest first."""
    query = select(Mailing).where(Mailing.programme_id == programme.id).order_by(Mailing.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(Mailing.kind == kind)
    if event is not None:
        query = query.where(Mailing.event_id == event.id)
    return list(db.session.execute(query).scalars())
