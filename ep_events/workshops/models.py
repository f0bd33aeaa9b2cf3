"""Workshops' own tables; a workshop and a registration extend the shared booking core (see ARCHITECTURE.md)."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from ep_events.bookings.models import Event, Place, WaitlistEntry
from ep_events.core.models import TimestampMixin, UTCDateTime
from ep_events.extensions import db

PROGRAMME_KIND = "workshops"  # Programme.kind of a workshops programme (its ProgrammeKindSpec key)


class Workshop(Event):
    """One online workshop: an `Event` (title, times, Teams link, capacity, status) with what it is about, for
    whom, and when registration closes (the practice standards it addresses are on `Event`)."""

    __tablename__ = "workshop"
    __mapper_args__ = {"polymorphic_identity": "workshop"}

    id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    topic: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    audience: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    cancel_message: Mapped[str] = mapped_column(Text, nullable=False, default="")

    def registration_open(self, now: datetime) -> bool:
        return now < self.registration_closes_at


class WorkshopRegistration(Place):
    """A person's place on a workshop (status, calendar UID and SEQUENCE, attendance: all in `place`)."""

    __tablename__ = "workshop_registration"
    __mapper_args__ = {"polymorphic_identity": "workshop_registration"}

    id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), primary_key=True)

    workshop = synonym("event")


class WorkshopWaitlistEntry(WaitlistEntry):
    """Waiting for a place on a full workshop."""

    __tablename__ = "workshop_waitlist_entry"
    __mapper_args__ = {"polymorphic_identity": "workshop_waitlist_entry"}

    id: Mapped[int] = mapped_column(ForeignKey("waitlist_entry.id", ondelete="CASCADE"), primary_key=True)

    workshop = synonym("event")


class WorkshopResource(TimestampMixin, db.Model):
    """Slides, a handout or a link shared after a workshop, for its registrants and organisers only. Files are
    stored outside `static/` under `storage_key`; a link has `url` instead."""

    __tablename__ = "workshop_resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    url: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    filename: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    content_type: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    storage_key: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    workshop = relationship("Workshop")

    @property
    def is_link(self) -> bool:
        return bool(self.url)


class WorkshopFeedback(TimestampMixin, db.Model):
    """One person's feedback on a workshop they registered for: editable for 14 days after it ends."""

    __tablename__ = "workshop_feedback"
    __table_args__ = (
        UniqueConstraint("workshop_id", "user_id", name="uq_workshop_feedback_person"),
        CheckConstraint("usefulness BETWEEN 1 AND 5", name="usefulness_1_to_5"),
        CheckConstraint("relevance BETWEEN 1 AND 5", name="relevance_1_to_5"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    # None once the person deleted their account (the ratings still count).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    usefulness: Mapped[int] = mapped_column(Integer, nullable=False)
    relevance: Mapped[int] = mapped_column(Integer, nullable=False)
    do_differently: Mapped[str] = mapped_column(Text, nullable=False, default="")
    comments: Mapped[str] = mapped_column(Text, nullable=False, default="")

    workshop = relationship("Workshop")
    user = relationship("User")
