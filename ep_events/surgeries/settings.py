"""A programme's surgery settings: slot length, booking close, limits, offer time, retention, reminders."""

from ep_events.core.audit import record_audit, snapshot
from ep_events.core.errors import DomainError
from ep_events.extensions import db
from ep_events.surgeries.models import SurgerySettings


def get_settings(programme) -> SurgerySettings:
    """The programme's surgery rules (loaded with the programme), created with the defaults if new."""
    settings = programme.surgery_settings
    if settings is None:
        settings = SurgerySettings(programme=programme)
        db.session.add(settings)
        db.session.flush()
    return settings


SETTING_FIELDS = ("slot_minutes", "buffer_minutes", "booking_close_hours", "max_upcoming_bookings",
                  "offer_hours", "outline_retention_days", "am_starts", "am_ends", "pm_starts", "pm_ends",
                  "reminder_hours")


def update_settings(actor, programme, **values) -> SurgerySettings:
    """Change a programme's surgery rules, audited."""
    settings = get_settings(programme)
    if values["slot_minutes"] < 10:
        raise DomainError("Slot length must be at least 10 minutes", field="slot_minutes")
    if values["max_upcoming_bookings"] < 1:
        raise DomainError("People must be able to hold at least 1 booking", field="max_upcoming_bookings")
    for start, end in (("am_starts", "am_ends"), ("pm_starts", "pm_ends")):
        if values[end] <= values[start]:
            raise DomainError(f"{end[:2].upper()} session must end after it starts", field=end)
    before = {k: str(v) for k, v in snapshot(settings, SETTING_FIELDS).items()}
    for key in SETTING_FIELDS:
        if key in values:
            setattr(settings, key, values[key])
    db.session.flush()
    after = {k: str(v) for k, v in snapshot(settings, SETTING_FIELDS).items()}
    record_audit(actor, "surgery.settings", programme, f"Surgery settings of {programme.name}",
                 before=before, after=after)
    return settings


def reminder_hours(programme) -> list[int]:
    """How many hours before a surgery reminders go, as `send_due_reminders` reads the setting."""
    return sorted(get_settings(programme).reminder_hours or [24, 1], reverse=True)
