import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ep_events.core.models import TimestampMixin, UTCDateTime
from ep_events.core.time import utcnow
from ep_events.extensions import db


def _enum(cls):
    return Enum(cls, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


class Role(enum.Enum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    FACILITATOR = "facilitator"
    AGENCY_ADMIN = "agency_admin"

    @property
    def label(self) -> str:
        return {
            "admin": "Site admin",
            "organiser": "Organiser",
            "facilitator": "Facilitator",
            "agency_admin": "Agency admin",
        }[self.value]

    @property
    def scope(self) -> str:
        """What a grant of this role is attached to: the site, a programme or an organisation."""
        return {"admin": "site", "organiser": "programme", "facilitator": "programme",
                "agency_admin": "organisation"}[self.value]


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    job_title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    organisation_other: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(300), nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changing this signs the user out of every other session (password change, reset).
    session_version: Mapped[int] = mapped_column(nullable=False, default=1)
    # Secret address of the personal calendar feed; regenerating it revokes the old address.
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # "Email me about CPD reflections" in the profile: drafts waiting after an event, renewal reminders.
    cpd_emails: Mapped[bool] = mapped_column(nullable=False, default=True, server_default=true())

    organisation = relationship("Organisation")
    grants = relationship("Grant", back_populates="user", cascade="all, delete-orphan",
                          foreign_keys="Grant.user_id")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def organisation_name(self) -> str:
        return self.organisation.name if self.organisation else self.organisation_other

    def has_role(self, role: Role, programme=None, organisation=None) -> bool:
        for grant in self.grants:
            if grant.role is not role:
                continue
            if role.scope == "site":
                return True
            if role.scope == "programme" and (programme is None or grant.programme_id == programme.id):
                return True
            if role.scope == "organisation" and (organisation is None or grant.organisation_id == organisation.id):
                return True
        return False

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)


class Grant(TimestampMixin, db.Model):
    """A role held by a user: site-wide (admin), for a programme, or for an organisation."""

    __tablename__ = "grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "programme_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[Role] = mapped_column(_enum(Role), nullable=False)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))

    user = relationship("User", back_populates="grants", foreign_keys=[user_id])
    programme = relationship("Programme")
    organisation = relationship("Organisation")

    @property
    def scope_label(self) -> str:
        if self.programme is not None:
            return self.programme.name
        if self.organisation is not None:
            return self.organisation.name
        return "Whole site"


class TokenPurpose(enum.Enum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"
    CHANGE_EMAIL = "change_email"


class AccountToken(db.Model):
    """A single-use, expiring link token. Only its SHA-256 is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(_enum(TokenPurpose), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # For CHANGE_EMAIL: the address the account moves to once the link sent there is used.
    new_email: Mapped[str | None] = mapped_column(String(320))

    user = relationship("User")
