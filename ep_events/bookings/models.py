"""The shared booking core: every programme's events, a person's places on them, waiting lists and attendance.

Each programme kind maps its own tables onto these with SQLAlchemy joined-table inheritance: a surgery
date *is* an `Event` (its own table adds the day and AM/PM session), a surgery booking *is* a `Place`
(its own table adds the slot, theme, outline and colleagues). Pages that read every programme — My
bookings, the personal calendar feed, reminders, attendance, CPD, dashboards, the event finder — read
these tables only, in one statement, whatever the number of programme kinds. See ARCHITECTURE.md.
"""

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ep_events.core.errors import DomainError
from ep_events.core.models import TimestampMixin, UTCDateTime, db_enum
from ep_events.extensions import db


class EventStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Event(TimestampMixin, db.Model):
    """Something people book a place on, at a time: a surgery date, a Network Day, a workshop."""

    __tablename__ = "event"
    __table_args__ = (
        # Finding a programme's published events in time order (the slot picker, feeds, the API).
        Index("ix_event_programme_status_starts", "programme_id", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Which programme kind's table holds the rest (the polymorphic identity, e.g. "surgery_date").
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[EventStatus] = mapped_column(db_enum(EventStatus), nullable=False, default=EventStatus.DRAFT)
    online_url: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    venue: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # How many places it offers, where a number says it (None: the kind counts its own units, e.g. slots).
    capacity: Mapped[int | None] = mapped_column()
    # The EP National Practice Standards and sub-standards it addresses, by code ("S4", "4.2"), sorted
    # (ep_events.standards.validate_codes): "what to book next" in self-assessments and CPD read them.
    practice_standards: Mapped[list] = mapped_column(JSON, nullable=False, default=list, server_default=text("'[]'"))

    programme = relationship("Programme")

    __mapper_args__ = {"polymorphic_on": "kind"}

    @property
    def is_online(self) -> bool:
        return not self.venue


class PlaceStatus(enum.Enum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Attendance(enum.Enum):
    UNKNOWN = "unknown"
    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"

    @property
    def label(self) -> str:
        return {"unknown": "Not marked", "attended": "Attended", "did_not_attend": "Did not attend"}[self.value]


def new_uid() -> str:
    """A calendar UID: the invite, its updates, its cancellation and the feeds all carry it."""
    return f"{uuid.uuid4()}@ep-events"


class Place(TimestampMixin, db.Model):
    """One person's place on one event, from booking to attendance.

    Its times are the person's own (a surgery booking's slot, not the whole morning); its UID and
    SEQUENCE are those of the calendar invite; its attendance is the one record CPD and reports read.
    """

    __tablename__ = "place"
    __table_args__ = (
        # My bookings and the personal feed: a person's places in time order.
        Index("ix_place_user_starts", "user_id", "starts_at"),
        # Places taken per event: counted from the index alone (event, then status), without reading the rows.
        Index("ix_place_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), nullable=False)
    # None once the person deleted their account: the place stays, without them, for the counts reports keep.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Their organisation when they booked: reports count places per organisation, even after the person goes.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"),
                                                         index=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True, nullable=False, default=new_uid)
    sequence: Mapped[int] = mapped_column(nullable=False, default=0)
    status: Mapped[PlaceStatus] = mapped_column(db_enum(PlaceStatus), nullable=False, default=PlaceStatus.CONFIRMED)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    attendance: Mapped[Attendance] = mapped_column(db_enum(Attendance), nullable=False, default=Attendance.UNKNOWN)
    attended_minutes: Mapped[int | None] = mapped_column()
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    event = relationship("Event")
    user = relationship("User", foreign_keys=[user_id])

    __mapper_args__ = {"polymorphic_on": "kind"}

    def __init__(self, **values):
        """Give `user=` (not only `user_id=`): the place records the organisation they book from."""
        super().__init__(**values)
        if self.organisation_id is None and self.user is not None:
            self.organisation_id = self.user.organisation_id

    @property
    def is_confirmed(self) -> bool:
        return self.status is PlaceStatus.CONFIRMED

    @property
    def cancelled_by_booker(self) -> bool:
        """Cancelled by the person who booked it (rather than by a facilitator or organiser)."""
        return self.cancelled_at is not None and self.user_id is not None and self.cancelled_by_id == self.user_id

    def cancel(self, at: datetime, by, reason: str = "") -> None:
        if self.status is not PlaceStatus.CONFIRMED:
            raise DomainError("This booking is already cancelled")
        self.status = PlaceStatus.CANCELLED
        self.cancelled_at = at
        self.cancelled_by_id = getattr(by, "id", None)
        self.cancel_reason = reason
        self.sequence += 1

    def mark_attendance(self, attendance: Attendance, by, at: datetime, minutes: int | None = None) -> None:
        """Record whether they came (and for how long, where known); who marked it and when."""
        if not self.is_confirmed:
            raise DomainError("A cancelled booking cannot be marked as attended")
        self.attendance = attendance
        self.attended_minutes = minutes if attendance is Attendance.ATTENDED else None
        self.attendance_marked_at = at
        self.attendance_marked_by_id = getattr(by, "id", None)


class WaitlistStatus(enum.Enum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    EXPIRED = "expired"
    LEFT = "left"
    DECLINED = "declined"  # said "No thanks" to an offer: off the list, the place went to the next person

    @property
    def label(self) -> str:
        return {"waiting": "Waiting", "offered": "Place offered", "booked": "Booked", "expired": "Offer expired",
                "left": "Left the list", "declined": "Declined"}[self.value]


ACTIVE_WAITLIST = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class WaitlistEntry(TimestampMixin, db.Model):
    """A person waiting for a place on a full event."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (
        Index("uq_waitlist_entry_active", "event_id", "user_id", unique=True,
              sqlite_where=text("status IN ('waiting', 'offered')"),
              postgresql_where=text("status IN ('waiting', 'offered')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True)
    # None once the person deleted their account (demand for a full event still counts).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    status: Mapped[WaitlistStatus] = mapped_column(db_enum(WaitlistStatus), nullable=False,
                                                   default=WaitlistStatus.WAITING)
    # Until when an offered place is held for them (None unless offered).
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event = relationship("Event")
    user = relationship("User")

    __mapper_args__ = {"polymorphic_on": "kind"}

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_WAITLIST

    def move_to(self, status: WaitlistStatus, offer_expires_at: datetime | None = None) -> None:
        """Change status; the offer's end is kept only while a place is offered."""
        self.status = status
        self.offer_expires_at = offer_expires_at if status is WaitlistStatus.OFFERED else None
