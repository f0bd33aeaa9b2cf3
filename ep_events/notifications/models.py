import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ep_events.core.models import UTCDateTime
from ep_events.core.time import utcnow
from ep_events.extensions import db


class OutboxStatus(enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


ERASED = "[erased]"


class AfterSending(enum.Enum):
    """What happens to a message's personal content once it has been sent."""

    KEEP = "keep"  # kept for OUTBOX_RETENTION_DAYS, then the bodies are blanked (`flask purge-outbox`)
    BLANK_BODIES = "blank_bodies"  # it carries a live link (reset, confirmation): bodies blanked when sent
    ERASE = "erase"  # it is about a deleted person: recipient, subject, bodies and calendar erased when sent


class OutboxMessage(db.Model):
    """An email waiting to be sent, written in the same transaction as the change it reports."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    sender: Mapped[str] = mapped_column(String(320), nullable=False)
    recipient: Mapped[str] = mapped_column(String(320), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    calendar: Mapped[str | None] = mapped_column(Text)
    calendar_method: Mapped[str | None] = mapped_column(String(20))
    # One file sent with the email (an invoice's PDF), blanked with the bodies.
    attachment_filename: Mapped[str | None] = mapped_column(String(200))
    attachment_mimetype: Mapped[str | None] = mapped_column(String(100))
    attachment_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) on a mailing to a list.
    headers: Mapped[dict | None] = mapped_column(JSON)
    # The mailing it was sent as part of (its progress page counts them by status).
    mailing_id: Mapped[int | None] = mapped_column(ForeignKey("mailing.id", ondelete="SET NULL"), index=True)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False, default=OutboxStatus.PENDING, index=True,
    )
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    after_sending: Mapped[AfterSending] = mapped_column(
        Enum(AfterSending, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False, default=AfterSending.KEEP, server_default=AfterSending.KEEP.value,
    )
    # When the bodies and calendar were blanked (after sending, at the retention period, or on deletion).
    bodies_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def erase_bodies(self, at: datetime) -> None:
        self.body_text = self.body_html = ""
        self.calendar = None
        self.attachment_data = None
        self.bodies_erased_at = at

    def erase(self, at: datetime) -> None:
        """Keep only that a message was sent and when: nothing about whom it was to or about."""
        self.erase_bodies(at)
        self.recipient = self.subject = ERASED
        self.last_error = ""


class SentReminder(db.Model):
    """One reminder of one booking at one offset: the unique key makes `send-reminders` idempotent."""

    __tablename__ = "sent_reminder"
    __table_args__ = (UniqueConstraint("kind", "booking_id", "hours_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    booking_id: Mapped[int] = mapped_column(nullable=False)
    hours_before: Mapped[int] = mapped_column(nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    skipped: Mapped[bool] = mapped_column(nullable=False, default=False)


class MailingKind(enum.Enum):
    ANNOUNCEMENT = "announcement"  # to a programme's invitation list
    EVENT_MESSAGE = "event_message"  # to everyone with a place on one event

    @property
    def label(self) -> str:
        return {"announcement": "Announcement", "event_message": "Message to the people booked"}[self.value]


class MailingStatus(enum.Enum):
    SENDING = "sending"  # recipients are being queued into the outbox, a batch at a time
    QUEUED = "queued"  # every recipient has its outbox message

    @property
    def label(self) -> str:
        return {"sending": "Sending", "queued": "All queued"}[self.value]


class Mailing(db.Model):
    """One email composed once and sent to many: recipients are fixed when it is sent, then queued into the
    outbox in batches (so a big list does not flood the mail server); progress is counted from the outbox."""

    __tablename__ = "mailing"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MailingKind] = mapped_column(
        Enum(MailingKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False,
                                              index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[MailingStatus] = mapped_column(
        Enum(MailingStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False, default=MailingStatus.SENDING, index=True)
    recipients_total: Mapped[int] = mapped_column(nullable=False, default=0)
    # The compose form's one-time key: a double click or a resubmitted form finds this mailing, not a new one.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)


class MailingRecipient(db.Model):
    """One person a mailing goes to; `queued_at` is set when their outbox message is written."""

    __tablename__ = "mailing_recipient"
    __table_args__ = (UniqueConstraint("mailing_id", "email", name="uq_mailing_recipient_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(ForeignKey("mailing.id", ondelete="CASCADE"), nullable=False)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Per-recipient extras, fixed when the mailing is sent: the invitation list entry, its personal unsubscribe
    # link (shown in the body) and headers (List-Unsubscribe, List-Unsubscribe-Post).
    list_entry_id: Mapped[int | None] = mapped_column()
    unsubscribe_url: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    headers: Mapped[dict | None] = mapped_column(JSON)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
