"""Rules about a programme that depend on its events."""

from sqlalchemy import select

from ep_events.bookings.models import Event
from ep_events.core.errors import DomainError
from ep_events.extensions import db


def check_kind_change(programme, kind: str) -> None:
    """A programme's kind cannot change once it has events: they belong to its kind's tables and pages."""
    if kind == programme.kind:
        return
    has_events = db.session.execute(select(Event.id).where(Event.programme_id == programme.id).limit(1)).first()
    if has_events:
        raise DomainError("This programme already has events, so its kind cannot change", field="kind")
