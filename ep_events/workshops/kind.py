"""Workshops as a programme kind: what they offer My bookings, feeds, reminders, the API, account deletion
and "download my data" (the ProgrammeKindSpec of ep_events/bookings/kinds.py)."""

from datetime import datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ep_events.bookings.kinds import ApiField
from ep_events.bookings.models import Event
from ep_events.core.urls import external_url
from ep_events.extensions import db
from ep_events.workshops import emails
from ep_events.workshops.capacity import places_left_query
from ep_events.workshops.models import (
    PROGRAMME_KIND,
    Workshop,
    WorkshopFeedback,
    WorkshopRegistration,
    WorkshopWaitlistEntry,
)
from ep_events.workshops.registrations import release_person
from ep_events.workshops.rules import REMINDER_HOURS


class Workshops:
    key = PROGRAMME_KIND
    label = "Workshops"
    cpd_type = "Workshop/webinar"
    themes = ()
    event_identity = "workshop"
    place_identity = "workshop_registration"
    waitlist_identity = "workshop_waitlist_entry"
    api_fields = (
        ApiField("topic", "string", "What the workshop is about"),
        ApiField("audience", "string", "Who it is for"),
        ApiField("practice_standards", "array", "The EP National Practice Standards it addresses, e.g. S1"),
        ApiField("registration_closes_at", "string", "When registration closes (UTC, ISO 8601)"),
    )

    def place_url(self, place_id: int) -> str:
        return url_for("workshops.registration_detail", registration_id=place_id)

    def event_url(self, event: Workshop, external: bool = False) -> str:
        build = external_url if external else url_for
        return build("workshops.workshop_page", slug=event.programme.slug, workshop_id=event.id)

    def public_title(self, event: Workshop) -> str:
        return f"Workshop: {event.title}"

    def waitlist_url(self, entry_id: int) -> str:
        return url_for("workshops.waitlist_entry", entry_id=entry_id)

    def leave_waitlist_url(self, entry_id: int) -> str:
        return url_for("workshops.leave_waitlist", entry_id=entry_id)

    def calendar_events(self, place_ids: list[int]):
        registrations = db.session.execute(
            select(WorkshopRegistration).where(WorkshopRegistration.id.in_(place_ids))
            .options(selectinload(WorkshopRegistration.event).selectinload(Event.programme),
                     selectinload(WorkshopRegistration.user))).scalars()
        return [emails.calendar_event(registration) for registration in registrations]

    def reminder_hours(self, programme) -> list[int]:
        return list(REMINDER_HOURS)

    def send_reminder(self, place_id: int, hours: int) -> None:
        emails.send_reminder(db.session.get(WorkshopRegistration, place_id), hours)

    def places_left(self, events: list[Workshop], now: datetime):
        return places_left_query(events)

    def api_values(self, event: Workshop) -> dict:
        return {"topic": event.topic, "audience": event.audience,
                "practice_standards": list(event.practice_standards or []),
                "registration_closes_at": event.registration_closes_at.isoformat()}

    def release_person(self, user, now: datetime) -> int:
        return release_person(user, now)

    def personal_data(self, user) -> dict[str, list[dict]]:
        entries = db.session.execute(
            select(WorkshopWaitlistEntry).where(WorkshopWaitlistEntry.user_id == user.id)
            .order_by(WorkshopWaitlistEntry.id)).scalars()
        feedback = db.session.execute(
            select(WorkshopFeedback).where(WorkshopFeedback.user_id == user.id)
            .order_by(WorkshopFeedback.id)).scalars()
        return {
            "workshop_waiting_lists": [{
                "entry": entry.id, "workshop": entry.event.title, "status": entry.status.value,
                "offer_expires_at": entry.offer_expires_at,
            } for entry in entries],
            "workshop_feedback": [{
                "workshop": item.workshop.title, "usefulness": item.usefulness, "relevance": item.relevance,
                "do_differently": item.do_differently, "comments": item.comments, "given_at": item.created_at,
            } for item in feedback],
        }


KIND = Workshops()
