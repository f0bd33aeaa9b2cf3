"""CPD's own tables: a person's CPD records (reflections), the attendance certificates they download, and the
reminders ("nudges") sent to them before their Social Work England renewal.

Everything here belongs to one person and goes with their account (`user_id` ... ON DELETE CASCADE).
A record made from an event they attended keeps its own copy of the event's title, programme, date and
duration, so the log still reads the same if the event is changed or removed later.
"""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ep_events.core.models import TimestampMixin, UTCDateTime, db_enum
from ep_events.extensions import db


class RecordStatus(enum.Enum):
    DRAFT = "draft"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "complete": "Complete"}[self.value]


class CpdRecord(TimestampMixin, db.Model):
    """One piece of CPD as Social Work England's form asks for it, private to its author."""

    __tablename__ = "cpd_record"
    __table_args__ = (
        # The log: a person's records in one registration year, in date order.
        Index("ix_cpd_record_user_date", "user_id", "activity_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    # The attended place it was drafted from (None for CPD done elsewhere); one record per place.
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="SET NULL"), unique=True)
    status: Mapped[RecordStatus] = mapped_column(db_enum(RecordStatus), nullable=False, default=RecordStatus.DRAFT)
    cpd_type: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    programme_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    activity_date: Mapped[date | None] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column()
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    learning: Mapped[str] = mapped_column(Text, nullable=False, default="")
    impact: Mapped[str] = mapped_column(Text, nullable=False, default="")
    has_peer_reflection: Mapped[bool] = mapped_column(nullable=False, default=False)
    # The peer's role ("Adoption team manager"), never their name.
    peer_role: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    peer_learning: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # EP National Practice Standards by code ("S4", "4.2"), as ep_events.standards validates them.
    practice_standards: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person was emailed that the draft waits (None: not emailed, e.g. attendance too old).
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    place = relationship("Place")

    @property
    def is_complete(self) -> bool:
        return self.status is RecordStatus.COMPLETE

    @property
    def counts_as_peer_reflection(self) -> bool:
        """A complete record whose peer reflection is written: who with (a role) and what they learnt."""
        return (self.is_complete and self.has_peer_reflection and bool(self.peer_role.strip())
                and bool(self.peer_learning.strip()))


class CpdCertificate(TimestampMixin, db.Model):
    """An attendance certificate issued for one attended place, with the code anyone can check it by."""

    __tablename__ = "cpd_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), nullable=False, unique=True)
    code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)

    place = relationship("Place")
    user = relationship("User")


class CpdNudge(TimestampMixin, db.Model):
    """A renewal reminder sent: one per person, registration year and round (September, November)."""

    __tablename__ = "cpd_nudge"
    __table_args__ = (UniqueConstraint("user_id", "registration_year", "round", name="uq_cpd_nudge_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    registration_year: Mapped[int] = mapped_column(nullable=False)
    round: Mapped[str] = mapped_column(String(20), nullable=False)
