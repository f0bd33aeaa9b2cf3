"""Practice surgeries' own tables; their dates, bookings and waiting lists extend the shared booking core."""

import enum
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship, synonym

from ep_events.bookings.models import (
    Attendance,
    Event,
    EventStatus,
    Place,
    PlaceStatus,
    WaitlistEntry,
    WaitlistStatus,
    db_enum,
)
from ep_events.core.models import UTCDateTime
from ep_events.core.time import uk_date, utcnow
from ep_events.extensions import db

__all__ = ["Attendance", "WaitlistStatus"]  # shared enums, imported from here by the surgery code


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


class SurgeryThemeStandard(db.Model):
    """The practice standards one of a programme's themes relates to, as the organiser tagged it.

    A row per (programme, theme) rather than one JSON column on the settings: two organisers tagging two themes
    at once cannot overwrite each other, each row's tags are a list of codes like an event's (so one SQL match
    serves both), and the event finder finds tagged themes with one EXISTS. No row: the theme has no tags.
    """

    __tablename__ = "surgery_theme_standard"
    __table_args__ = (UniqueConstraint("programme_id", "theme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    theme: Mapped[str] = mapped_column(String(40), nullable=False)
    practice_standards: Mapped[list] = mapped_column(JSON, nullable=False, default=list)


class SessionKind(enum.Enum):
    AM = "am"
    PM = "pm"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {"am": "AM", "pm": "PM", "custom": "Custom"}[self.value]


# The shared statuses, under the names the surgery code has always used.
SurgeryDateStatus = EventStatus
BookingStatus = PlaceStatus

SURGERY_TITLE = "Practice surgery"
PROGRAMME_KIND = "practice_surgeries"  # Programme.kind of a surgery programme (its ProgrammeKindSpec key)

# A date's window lies within one UK day (25 hours at most, the day the clocks go back); with a margin,
# "ends after now" implies "starts after now - DATE_LONGEST", which an index can find in order.
DATE_LONGEST = timedelta(days=2)


class SurgeryDate(Event):
    """A morning or afternoon (or custom window) of surgery slots: an `Event` with its day and session."""

    __tablename__ = "surgery_date"
    __mapper_args__ = {"polymorphic_identity": "surgery_date"}

    id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    session: Mapped[SessionKind] = mapped_column(db_enum(SessionKind), nullable=False)
    cancel_message: Mapped[str] = mapped_column(Text, nullable=False, default="")

    # The Teams joining link is the event's online address.
    teams_url = synonym("online_url")
    slots = relationship("SurgerySlot", back_populates="surgery_date", order_by="SurgerySlot.starts_at",
                         cascade="all, delete-orphan")

    def __init__(self, **values):
        values.setdefault("title", SURGERY_TITLE)
        super().__init__(**values)

    @property
    def label(self) -> str:
        return date_label(self.starts_at, self.session)


@lru_cache(maxsize=4096)
def date_label(starts_at: datetime, session: SessionKind) -> str:
    """'Tuesday 16 June 2026 – AM': how a surgery date is named everywhere (remembered: the slot
    picker names ten dates on every page it serves)."""
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
    status: Mapped[SlotStatus] = mapped_column(db_enum(SlotStatus), nullable=False, default=SlotStatus.OPEN)

    surgery_date = relationship("SurgeryDate", back_populates="slots")


class SurgeryBooking(Place):
    """One person's booking of one slot: a `Place` with its slot, theme, outline and colleagues.

    A move changes the slot but keeps the booking (and its calendar UID).
    """

    __tablename__ = "surgery_booking"
    __mapper_args__ = {"polymorphic_identity": "surgery_booking"}

    id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("surgery_slot.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    # The slot while the booking is confirmed, None once cancelled: being unique, the database (not
    # Python) guarantees one confirmed booking per slot, and "is this slot taken" reads one index of
    # one table. (Not a second foreign key: slot_id already ties the booking to its slot.)
    held_slot_id: Mapped[int | None] = mapped_column(unique=True)
    theme: Mapped[str] = mapped_column(String(40), nullable=False)
    outline: Mapped[str] = mapped_column(Text, nullable=False, default="")
    outline_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    colleagues: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    slot = relationship("SurgerySlot")

    def __init__(self, slot=None, **values):
        super().__init__(**values)
        if slot is not None:
            self.occupy(slot)

    def occupy(self, slot: "SurgerySlot") -> None:
        """Put the booking on a slot: its event, its times, and (while confirmed) the slot's one place."""
        self.slot = slot
        self.event = slot.surgery_date
        self.starts_at, self.ends_at = slot.starts_at, slot.ends_at
        if self.status in (None, PlaceStatus.CONFIRMED):
            if slot.id is None:
                db.session.flush()
            self.held_slot_id = slot.id

    @property
    def theme_label(self) -> str:
        return THEME_LABELS.get(self.theme, self.theme)

    def can_change(self, now: datetime) -> bool:
        """Whether the booker may still move or cancel it: confirmed, and the slot has not started."""
        return self.is_confirmed and self.slot.starts_at > now

    def cancel(self, at: datetime, by, reason: str = "") -> None:
        super().cancel(at, by, reason)
        self.held_slot_id = None


class SurgeryWaitlistEntry(WaitlistEntry):
    """Waiting for a slot on a full surgery date, with the theme they would bring."""

    __tablename__ = "surgery_waitlist_entry"
    __mapper_args__ = {"polymorphic_identity": "surgery_waitlist_entry"}

    id: Mapped[int] = mapped_column(ForeignKey("waitlist_entry.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(40), nullable=False, default="general")

    surgery_date_id = synonym("event_id")
    surgery_date = synonym("event")


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
    status: Mapped[OfferStatus] = mapped_column(db_enum(OfferStatus), nullable=False, default=OfferStatus.OPEN)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    slot = relationship("SurgerySlot")
    entry = relationship("SurgeryWaitlistEntry")


