"""The invitation list's tables: entries with their recorded consent, and the suppression list."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ep_events.core.models import TimestampMixin, UTCDateTime, db_enum
from ep_events.extensions import db


class ListEntryStatus(enum.Enum):
    PENDING = "pending"  # asked to join; the confirmation email is out (expires after 7 days)
    CONFIRMED = "confirmed"  # gets the list's emails
    UNSUBSCRIBED = "unsubscribed"  # left; rejoining needs a new double opt-in
    EXPIRED = "expired"  # never confirmed

    @property
    def label(self) -> str:
        return {"pending": "Waiting for confirmation", "confirmed": "Subscribed", "unsubscribed": "Unsubscribed",
                "expired": "Not confirmed in time"}[self.value]


class ConsentSource(enum.Enum):
    JOIN_FORM = "join_form"  # the public "join the invitation list" form
    IMPORT = "import"  # an organiser's CSV import (then a double opt-in email, or a recorded lawful basis)

    @property
    def label(self) -> str:
        return {"join_form": "Join form", "import": "Imported by an organiser"}[self.value]


class InvitationListEntry(TimestampMixin, db.Model):
    """One address on a programme's invitation list, with how and when it consented."""

    __tablename__ = "invitation_list_entry"
    __table_args__ = (UniqueConstraint("programme_id", "email", name="uq_invitation_list_entry_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False,
                                              index=True)
    email: Mapped[str] = mapped_column(String(320), nullable=False)  # normalised (lower case)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    organisation_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    role: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[ListEntryStatus] = mapped_column(db_enum(ListEntryStatus), nullable=False,
                                                    default=ListEntryStatus.PENDING, index=True)
    # The double opt-in: a hash of the emailed token (never the token), and when it stops working.
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirm_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When its confirm link ran out unused (EXPIRED): the entry is erased LIST_ENTRY_RETENTION_DAYS later.
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The consent recorded: when, from which form, the wording version shown; or the organiser's lawful basis.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_source: Mapped[ConsentSource] = mapped_column(db_enum(ConsentSource), nullable=False,
                                                          default=ConsentSource.JOIN_FORM)
    consent_wording_version: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    lawful_basis: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Bumped at every unsubscribe and rejoin: an unsubscribe link signed for an earlier version stops working.
    token_version: Mapped[int] = mapped_column(nullable=False, default=0)

    programme = relationship("Programme")


class SuppressedAddress(TimestampMixin, db.Model):
    """An address that unsubscribed (or asked not to be emailed): an import can never add it back."""

    __tablename__ = "suppressed_address"
    __table_args__ = (UniqueConstraint("programme_id", "email", name="uq_suppressed_address_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    reason: Mapped[str] = mapped_column(String(200), nullable=False, default="")
