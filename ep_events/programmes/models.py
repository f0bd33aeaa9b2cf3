import enum

from sqlalchemy import Enum, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ep_events.core.models import TimestampMixin
from ep_events.extensions import db


class ProgrammeStatus(enum.Enum):
    """A new programme is a draft, seen only by site admins and its organisers, until an admin publishes it."""

    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "published": "Published"}[self.value]


class Programme(TimestampMixin, db.Model):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    # Which programme kind runs it: a key of a kind listed in ep_events/kinds.py (e.g. "practice_surgeries").
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    contact_email: Mapped[str] = mapped_column(String(320), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # How Teams joining links are made: "manual" (pasted by a facilitator) or "graph" (Microsoft Graph).
    teams_provider: Mapped[str] = mapped_column(String(20), nullable=False, default="manual",
                                                server_default="manual")
    status: Mapped[ProgrammeStatus] = mapped_column(
        Enum(ProgrammeStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False, default=ProgrammeStatus.DRAFT,
    )
    # The programme's membership year runs from this day each year to the day before it a year later (1 April –
    # 31 March by default). Network Days (what a membership covers) and billing (what an invoice says) both read it.
    membership_year_start_month: Mapped[int] = mapped_column(nullable=False, default=4, server_default="4")
    membership_year_start_day: Mapped[int] = mapped_column(nullable=False, default=1, server_default="1")
    # Adoption England's programme: its organisers see the practice-standards self-assessments agencies share,
    # aggregated (ratings only).
    standards_aggregate: Mapped[bool] = mapped_column(nullable=False, default=False, server_default=false())

    @property
    def is_published(self) -> bool:
        return self.status is ProgrammeStatus.PUBLISHED

    def __str__(self) -> str:
        return self.name
