"""Practice surgeries as a programme kind: what they offer My bookings, feeds, reminders, the API,
account deletion and "download my data" (the ProgrammeKindSpec of ep_events/bookings/kinds.py)."""

from datetime import datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ep_events.bookings.kinds import ApiField
from ep_events.core.urls import external_url
from ep_events.extensions import db
from ep_events.notifications.calendar import CalendarEvent
from ep_events.surgeries import emails
from ep_events.surgeries.availability import free_places_query
from ep_events.surgeries.booking_changes import release_person
from ep_events.surgeries.models import (
    PROGRAMME_KIND,
    THEMES,
    SlotOffer,
    SurgeryBooking,
    SurgeryDate,
    SurgerySlot,
    SurgeryWaitlistEntry,
)
from ep_events.surgeries.settings import reminder_hours
from ep_events.surgeries.themes import booked_theme_standards, programme_themes_tagged


class PracticeSurgeries:
    key = PROGRAMME_KIND
    label = "Practice surgeries"
    cpd_type = "Peer learning session"
    themes = THEMES
    event_identity = "surgery_date"
    place_identity = "surgery_booking"
    waitlist_identity = "surgery_waitlist_entry"
    api_fields = (
        ApiField("session", "string", "am, pm or custom: the part of the day the surgery slots fill"),
        ApiField("slot_minutes", "integer", "How long each bookable slot is"),
    )

    def place_url(self, place_id: int) -> str:
        return url_for("surgeries.booking_detail", booking_id=place_id)

    def event_url(self, event: SurgeryDate, external: bool = False) -> str:
        build = external_url if external else url_for
        return build("surgeries.programme_slots", slug=event.programme.slug) + f"#date-{event.id}"

    def public_title(self, event: SurgeryDate) -> str:
        return f"Practice surgery: {event.label}"

    def waitlist_url(self, entry_id: int) -> str:
        return url_for("surgeries.waitlist_entry", entry_id=entry_id)

    def leave_waitlist_url(self, entry_id: int) -> str:
        return url_for("surgeries.leave_waitlist", entry_id=entry_id)

    def calendar_events(self, place_ids: list[int]) -> list[CalendarEvent]:
        bookings = db.session.execute(
            select(SurgeryBooking).where(SurgeryBooking.id.in_(place_ids))
            .options(selectinload(SurgeryBooking.slot).selectinload(SurgerySlot.surgery_date)
                     .selectinload(SurgeryDate.programme), selectinload(SurgeryBooking.user))
        ).scalars()
        return [emails.calendar_event(booking) for booking in bookings]

    def reminder_hours(self, programme) -> list[int]:
        return reminder_hours(programme)

    def send_reminder(self, place_id: int, hours: int) -> None:
        emails.send_reminder(db.session.get(SurgeryBooking, place_id), hours)

    def places_left(self, events: list[SurgeryDate], now: datetime):
        return free_places_query(events, now)

    def api_values(self, event: SurgeryDate) -> dict:
        slot_minutes = event.programme.surgery_settings.slot_minutes if event.programme.surgery_settings else 40
        return {"session": event.session.value, "slot_minutes": slot_minutes}

    def place_standards(self, place_ids: list[int]) -> dict[int, list[str]]:
        return booked_theme_standards(place_ids)

    def programmes_tagged(self, code: str):
        return programme_themes_tagged(code)

    def release_person(self, user, now: datetime) -> int:
        return release_person(user, now)

    def personal_data(self, user) -> dict[str, list[dict]]:
        bookings = db.session.execute(
            select(SurgeryBooking).where(SurgeryBooking.user_id == user.id).order_by(SurgeryBooking.starts_at)
        ).scalars()
        entries = db.session.execute(
            select(SurgeryWaitlistEntry).where(SurgeryWaitlistEntry.user_id == user.id)
            .order_by(SurgeryWaitlistEntry.id)).scalars()
        offers = db.session.execute(
            select(SlotOffer).join(SurgeryWaitlistEntry, SlotOffer.entry_id == SurgeryWaitlistEntry.id)
            .where(SurgeryWaitlistEntry.user_id == user.id).order_by(SlotOffer.id)).scalars()
        return {
            "surgery_bookings": [{
                "booking": booking.id, "theme": booking.theme_label, "outline": booking.outline,
                "outline_erased_at": booking.outline_erased_at, "colleagues": booking.colleagues,
            } for booking in bookings],
            "surgery_waiting_lists": [{"entry": entry.id, "theme": entry.theme} for entry in entries],
            "surgery_offers": [{
                "offer": offer.id, "entry": offer.entry_id, "slot_starts_at": offer.slot.starts_at,
                "status": offer.status.value, "offered_at": offer.offered_at, "expires_at": offer.expires_at,
                "closed_at": offer.closed_at,
            } for offer in offers],
        }


KIND = PracticeSurgeries()
