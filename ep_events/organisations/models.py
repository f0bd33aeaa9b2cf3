import enum

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from ep_events.core.models import TimestampMixin
from ep_events.extensions import db


class OrganisationKind(enum.Enum):
    LOCAL_AUTHORITY = "local_authority"
    REGIONAL_ADOPTION_AGENCY = "regional_adoption_agency"
    VOLUNTARY_ADOPTION_AGENCY = "voluntary_adoption_agency"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "local_authority": "Local authority",
            "regional_adoption_agency": "Regional adoption agency",
            "voluntary_adoption_agency": "Voluntary adoption agency",
            "other": "Other",
        }[self.value]


REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    kind: Mapped[OrganisationKind] = mapped_column(
        Enum(OrganisationKind, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    )
    region: Mapped[str] = mapped_column(String(60), nullable=False)

    def __str__(self) -> str:
        return self.name
