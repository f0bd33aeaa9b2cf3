"""Network Days' own tables; a day and a named place extend the shared booking core (see ARCHITECTURE.md)."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ep_events.bookings.models import Event, Place, PlaceStatus, WaitlistEntry, db_enum
from ep_events.core.models import TimestampMixin, UTCDateTime
from ep_events.extensions import db

PROGRAMME_KIND = "network_days"  # Programme.kind of a Network programme (its ProgrammeKindSpec key)


class NetworkDay(Event):
    """One Network Day: an `Event` (with the practice standards it addresses) with its topics, and the moment
    after which only the organiser may rename a place."""

    __tablename__ = "network_day"
    __mapper_args__ = {"polymorphic_identity": "network_day"}

    id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    topics: Mapped[str] = mapped_column(Text, nullable=False, default="")
    rename_deadline: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    def renamable_by_agency(self, now: datetime) -> bool:
        """Whether an agency admin may still rename or name places (after this, only the organiser)."""
        return now < self.rename_deadline


class PlaceType(enum.Enum):
    MEMBERSHIP = "membership"  # the one place a member agency's membership gives it at each day of the year
    EXTRA = "extra"  # bought on top, while the day has room

    @property
    def label(self) -> str:
        return {"membership": "Membership place", "extra": "Extra place"}[self.value]


class NetworkPlace(Place):
    """A place an agency holds on a Network Day, named to one person."""

    __tablename__ = "network_place"
    __table_args__ = (
        # One confirmed membership place per agency per day, guaranteed by the database: the column holds
        # the day while the place is a confirmed membership place, NULL otherwise (NULLs never clash).
        UniqueConstraint("agency_id", "membership_day_id", name="uq_network_place_membership_day"),
        # The membership places named on a day, read from the index alone by the free-places count.
        Index("ix_network_place_membership_day", "membership_day_id", "agency_id"),
    )
    __mapper_args__ = {"polymorphic_identity": "network_place"}

    id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), primary_key=True)
    # The agency whose place it is (Place.organisation_id is the named person's own organisation).
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), nullable=False, index=True)
    place_type: Mapped[PlaceType] = mapped_column(db_enum(PlaceType, length=20), nullable=False)
    is_champion: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    membership_day_id: Mapped[int | None] = mapped_column(Integer)
    # The order line that paid for an extra place (a billing row, referred to by id only: network_days does
    # not import billing). NULL for membership places and places the organiser gave.
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("billing_order_line.id", ondelete="RESTRICT"),
                                                      index=True)
    # Offered to someone without an account yet: the place stays unnamed (user NULL) until they accept it
    # through the link emailed to this address, signed in with an account of that address.
    invited_email: Mapped[str | None] = mapped_column(String(320))

    agency = relationship("Organisation", foreign_keys=[agency_id])

    def __init__(self, **values):
        super().__init__(**values)
        if self.place_type is PlaceType.MEMBERSHIP and self.status in (None, PlaceStatus.CONFIRMED):
            self.membership_day_id = self.event_id if self.event_id is not None else self.event.id

    @property
    def day(self) -> NetworkDay:
        return self.event

    def cancel(self, at: datetime, by, reason: str = "") -> None:
        super().cancel(at, by, reason)
        self.membership_day_id = None


class NetworkWaitlistEntry(WaitlistEntry):
    """An agency waiting for extra places on a full Network Day. The person is the admin who asked (they are
    emailed the offer); while offered, the places are held for the agency until `offer_expires_at`."""

    __tablename__ = "network_waitlist_entry"
    __mapper_args__ = {"polymorphic_identity": "network_waitlist_entry"}

    id: Mapped[int] = mapped_column(ForeignKey("waitlist_entry.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)

    agency = relationship("Organisation")


class Membership(TimestampMixin, db.Model):
    """An agency's membership of a Network programme for one membership year (1 April to 31 March by
    default): one place at each of that year's days."""

    __tablename__ = "network_membership"
    __table_args__ = (
        UniqueConstraint("programme_id", "agency_id", "membership_year", name="uq_network_membership_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False,
                                           index=True)
    # The calendar year it starts in: 2026 is 1 April 2026 to 31 March 2027.
    membership_year: Mapped[int] = mapped_column(nullable=False)
    # The order that bought it (a billing row, referred to by id only); NULL when the organiser recorded it.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("billing_order.id", ondelete="RESTRICT"), index=True)

    programme = relationship("Programme")
    agency = relationship("Organisation")


class EpChampion(TimestampMixin, db.Model):
    """The person an agency names as its EP Champion for a programme (the default for membership places)."""

    __tablename__ = "ep_champion"
    __table_args__ = (UniqueConstraint("programme_id", "organisation_id", name="uq_ep_champion_agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)

    programme = relationship("Programme")
    organisation = relationship("Organisation")
    user = relationship("User")


class TrainingEnquiry(TimestampMixin, db.Model):
    """A bespoke-training enquiry sent through the public form (no account needed). Its free text is for the
    programme's organisers and admins only."""

    __tablename__ = "training_enquiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False,
                                              index=True)
    organisation_name: Mapped[str] = mapped_column(String(200), nullable=False)
    contact_name: Mapped[str] = mapped_column(String(200), nullable=False)
    contact_email: Mapped[str] = mapped_column(String(320), nullable=False)
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    training: Mapped[str] = mapped_column(Text, nullable=False)  # what training they would like
    audience: Mapped[str] = mapped_column(Text, nullable=False)  # for whom: roles and numbers
    preferred_dates: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    programme = relationship("Programme")
    answered_by = relationship("User")

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def reference(self) -> str:
        """What the sender and the organisers quote: 'TE-42'."""
        return f"TE-{self.id}"

    def mark_answered(self, at: datetime, by) -> None:
        """Record who answered it and when; marking it again keeps the first answer."""
        if self.answered_at is None:
            self.answered_at = at
            self.answered_by_id = by.id
