"""A self-assessment of one agency (optionally for one local authority in its area) against one edition of
the practice standards: a row per sub-standard with its RAG rating, comments and action."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ep_events.core.models import TimestampMixin, UTCDateTime, db_enum
from ep_events.extensions import db

COMMENTS_MAX = 5000
ACTION_MAX = 2000
OWNER_ROLE_MAX = 200
NAME_MAX = 200


class AssessmentStatus(enum.Enum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {"in_progress": "In progress", "completed": "Completed"}[self.value]


class Rating(enum.Enum):
    """The toolkit's RAG column: red not meeting the standard now, amber partly meeting, green fully meeting."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return {"red": "Red", "amber": "Amber", "green": "Green"}[self.value]

    @property
    def meaning(self) -> str:
        return {"red": "not meeting", "amber": "partly meeting", "green": "fully meeting"}[self.value]

    @property
    def rank(self) -> int:
        return {"red": 0, "amber": 1, "green": 2}[self.value]


class SelfAssessment(TimestampMixin, db.Model):
    __tablename__ = "self_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False,
                                                 index=True)
    # The local authority it is for, where the agency's practice differs between its LAs (the toolkit's advice).
    local_authority_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    # The key of the standards edition it is assessed against (ep_events.standards), e.g. "2023".
    edition: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[AssessmentStatus] = mapped_column(db_enum(AssessmentStatus), nullable=False,
                                                     default=AssessmentStatus.IN_PROGRESS)
    # The toolkit's "Date self-audit completed" and "Name/job title".
    completer_name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False, default="")
    completer_job_title: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False, default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Shared with Adoption England's aggregate (ratings only, never comments or actions); off by default.
    shared: Mapped[bool] = mapped_column(nullable=False, default=False)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("self_assessment.id", ondelete="SET NULL"))

    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    local_authority = relationship("Organisation", foreign_keys=[local_authority_id])
    started_by = relationship("User")
    entries = relationship("AssessmentEntry", back_populates="assessment", cascade="all, delete-orphan",
                           order_by="AssessmentEntry.id")

    @property
    def is_completed(self) -> bool:
        return self.status is AssessmentStatus.COMPLETED

    @property
    def title(self) -> str:
        where = f" for {self.local_authority.name}" if self.local_authority is not None else ""
        return f"Self-assessment{where}, started {self.created_at:%-d %B %Y}"


class AssessmentEntry(db.Model):
    """One sub-standard of one assessment: its rating (None until rated), comments, and one action with the
    role that owns it and when it is due (the toolkit's single actions column, made followable)."""

    __tablename__ = "self_assessment_entry"
    __table_args__ = (
        UniqueConstraint("assessment_id", "number"),
        # The dashboard's actions due soon.
        Index("ix_self_assessment_entry_action_due_on", "action_due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessment.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[str] = mapped_column(String(10), nullable=False)  # "2.10": a string, never a float
    rating: Mapped[Rating | None] = mapped_column(db_enum(Rating, length=10))
    comments: Mapped[str] = mapped_column(Text, nullable=False, default="")
    action: Mapped[str] = mapped_column(Text, nullable=False, default="")
    action_owner_role: Mapped[str] = mapped_column(String(OWNER_ROLE_MAX), nullable=False, default="")
    action_due_on: Mapped[date | None] = mapped_column(Date)

    assessment = relationship("SelfAssessment", back_populates="entries")


class AssessmentDelegate(TimestampMixin, db.Model):
    """A colleague an agency admin lets read and write the agency's self-assessments."""

    __tablename__ = "self_assessment_delegate"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
