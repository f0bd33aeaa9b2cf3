import enum
import uuid
from functools import lru_cache
from datetime import date, datetime, time, timedelta

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String, Text, Time, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ep_events.core.models import TimestampMixin, UTCDateTime
from ep_events.core.time import utcnow
from ep_events.extensions import db


def _enum(cls):
    return Enum(cls, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])


# The seven themes of the MTC flyer, worded as there, plus a general discussion.
THEMES = (
    ("right-plan", "Are you thinking about EP for a child but are not sure that it is the right plan?"),
    ("return-home", "Have you placed a child in an EP placement, where further assessments have been requested, "
                    "and there may be a plan for a child to return home?"),
    ("first-experience", "Is this your first experience of placing a child for EP, and you just want some advice "
                         "on the process?"),
    ("assessing-adopter", "Are you assessing a prospective adopter for EP and would like some advice on what "
                          "should be included in the assessment?"),
    ("family-finding", "Are you family finding for a child where EP is the plan, and want some information on "
                       "the process?"),
    ("legal-cafcass", "Have you experienced difficulties with legal backing an EP care planning decision or with "
                      "CAFCASS?"),
    ("reflect", "Have you previously placed a child for EP and want to critically reflect on a particular case?"),
    ("general", "General practice discussion"),
)
THEME_LABELS = dict(THEMES)


class SurgerySettings(db.Model):
    """A programme's surgery rules; every number here is the organiser's to change."""

    __tablename__ = "surgery_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), unique=True,
                                              nullable=False)
    slot_minutes: Mapped[int] = mapped_column(nullable=False, default=40)
    buffer_minutes: Mapped[int] = mapped_column(nullable=False, default=10)
    booking_close_hours: Mapped[int] = mapped_column(nullable=False, default=24)
    max_upcoming_bookings: Mapped[int] = mapped_column(nullable=False, default=2)
    offer_hours: Mapped[int] = mapped_column(nullable=False, default=12)
    outline_retention_days: Mapped[int] = mapped_column(nullable=False, default=30)
    am_starts: Mapped[time] = mapped_column(Time, nullable=False, default=time(9, 30))
    am_ends: Mapped[time] = mapped_column(Time, nullable=False, default=time(12, 30))
    pm_starts: Mapped[time] = mapped_column(Time, nullable=False, default=time(13, 30))
    pm_ends: Mapped[time] = mapped_column(Time, nullable=False, default=time(16, 30))
    reminder_hours: Mapped[list] = mapped_column(JSON, nullable=False, default=lambda: [24, 1])

    # Loaded with the programme in the same query: every surgery page needs the rules.
    programme = relationship("Programme", backref=backref("surgery_settings", uselist=False, lazy="joined"))


class SessionKind(enum.Enum):
    AM = "am"
    PM = "pm"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {"am": "AM", "pm": "PM", "custom": "Custom"}[self.value]


class SurgeryDateStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# A date's window lies within one UK day (25 hours at most, the day the clocks go back); with a margin,
# "ends after now" implies "starts after now - DATE_LONGEST", which an index can find in order.
DATE_LONGEST = timedelta(days=2)


class SurgeryDate(TimestampMixin, db.Model):
    __tablename__ = "surgery_date"
    # The slot picker's search: a programme's published dates in time order.
    __table_args__ = (Index("ix_surgery_date_programme_status_starts", "programme_id", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    session: Mapped[SessionKind] = mapped_column(_enum(SessionKind), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[SurgeryDateStatus] = mapped_column(_enum(SurgeryDateStatus), nullable=False,
                                                      default=SurgeryDateStatus.DRAFT)
    teams_url: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    cancel_message: Mapped[str] = mapped_column(Text, nullable=False, default="")

    programme = relationship("Programme")
    slots = relationship("SurgerySlot", back_populates="surgery_date", order_by="SurgerySlot.starts_at",
                         cascade="all, delete-orphan")

    @property
    def label(self) -> str:
        return date_label(self.starts_at, self.session)


@lru_cache(maxsize=4096)
def date_label(starts_at: datetime, session: SessionKind) -> str:
    """'Tuesday 16 June 2026 – AM': how a surgery date is named everywhere (remembered: the slot
    picker names ten dates on every page it serves)."""
    from ep_events.core.time import uk_date

    return uk_date(starts_at) if session is SessionKind.CUSTOM else f"{uk_date(starts_at)} – {session.label}"


class SlotStatus(enum.Enum):
    OPEN = "open"
    REMOVED = "removed"
    CANCELLED = "cancelled"


class SurgerySlot(db.Model):
    __tablename__ = "surgery_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    surgery_date_id: Mapped[int] = mapped_column(ForeignKey("surgery_date.id", ondelete="CASCADE"),
                                                 nullable=False, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[SlotStatus] = mapped_column(_enum(SlotStatus), nullable=False, default=SlotStatus.OPEN)

    surgery_date = relationship("SurgeryDate", back_populates="slots")


class BookingStatus(enum.Enum):
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


def _new_uid() -> str:
    return f"{uuid.uuid4()}@ep-events"


class SurgeryBooking(TimestampMixin, db.Model):
    """One person's booking of one slot. A move changes the slot but keeps the booking (and its UID)."""

    __tablename__ = "surgery_booking"
    __table_args__ = (
        # The database, not Python, guarantees one confirmed booking per slot.
        Index("uq_surgery_booking_confirmed_slot", "slot_id", unique=True,
              sqlite_where=text("status = 'confirmed'"), postgresql_where=text("status = 'confirmed'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True, nullable=False, default=_new_uid)
    sequence: Mapped[int] = mapped_column(nullable=False, default=0)
    slot_id: Mapped[int] = mapped_column(ForeignKey("surgery_slot.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[BookingStatus] = mapped_column(_enum(BookingStatus), nullable=False,
                                                  default=BookingStatus.CONFIRMED)
    theme: Mapped[str] = mapped_column(String(40), nullable=False)
    outline: Mapped[str] = mapped_column(Text, nullable=False, default="")
    outline_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    colleagues: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    attendance: Mapped[Attendance] = mapped_column(_enum(Attendance), nullable=False, default=Attendance.UNKNOWN)

    slot = relationship("SurgerySlot")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def theme_label(self) -> str:
        return THEME_LABELS.get(self.theme, self.theme)

    @property
    def is_confirmed(self) -> bool:
        return self.status is BookingStatus.CONFIRMED

    def can_change(self, now: datetime) -> bool:
        """Whether the booker may still move or cancel it: confirmed, and the slot has not started."""
        return self.is_confirmed and self.slot.starts_at > now

    @property
    def cancelled_by_booker(self) -> bool:
        """Cancelled by the person who booked it (rather than by a facilitator)."""
        return self.cancelled_at is not None and self.cancelled_by_id == self.user_id

    def cancel(self, at: datetime, by, reason: str = "") -> None:
        if self.status is not BookingStatus.CONFIRMED:
            from ep_events.core.errors import DomainError

            raise DomainError("This booking is already cancelled")
        self.status = BookingStatus.CANCELLED
        self.cancelled_at = at
        self.cancelled_by_id = getattr(by, "id", None)
        self.cancel_reason = reason
        self.sequence += 1


class WaitlistStatus(enum.Enum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    EXPIRED = "expired"
    LEFT = "left"
    DECLINED = "declined"  # said "No thanks" to an offer: off the list, the slot went to the next person


class WaitlistEntry(TimestampMixin, db.Model):
    __tablename__ = "surgery_waitlist_entry"
    __table_args__ = (
        Index("uq_surgery_waitlist_active", "surgery_date_id", "user_id", unique=True,
              sqlite_where=text("status IN ('waiting', 'offered')"),
              postgresql_where=text("status IN ('waiting', 'offered')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    surgery_date_id: Mapped[int] = mapped_column(ForeignKey("surgery_date.id", ondelete="CASCADE"),
                                                 nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    status: Mapped[WaitlistStatus] = mapped_column(_enum(WaitlistStatus), nullable=False,
                                                   default=WaitlistStatus.WAITING)
    theme: Mapped[str] = mapped_column(String(40), nullable=False, default="general")

    surgery_date = relationship("SurgeryDate")
    user = relationship("User")


class OfferStatus(enum.Enum):
    OPEN = "open"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"


class SlotOffer(db.Model):
    """A freed slot held for the first person waiting, until they accept or it expires."""

    __tablename__ = "surgery_slot_offer"
    __table_args__ = (
        Index("uq_surgery_slot_offer_open", "slot_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("surgery_slot.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("surgery_waitlist_entry.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    status: Mapped[OfferStatus] = mapped_column(_enum(OfferStatus), nullable=False, default=OfferStatus.OPEN)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    slot = relationship("SurgerySlot")
    entry = relationship("WaitlistEntry")


