"""Base mixins and column types shared by every domain."""

from datetime import datetime

from sqlalchemy import DateTime, Enum, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column

from ep_events.core.time import as_utc, utcnow


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns aware UTC datetimes (SQLite has no zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = as_utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return as_utc(value)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def db_enum(cls, length: int = 30):
    """An enum stored as its values in a plain string column (no database enum type to migrate)."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
