"""Registering for a workshop in one step, cancelling (the place goes to the waiting list), and releasing a
person whose account is being deleted."""

from datetime import datetime

from sqlalchemy import select

from ep_events.bookings.models import EventStatus, PlaceStatus, WaitlistStatus
from ep_events.core.audit import record_audit
from ep_events.core.errors import DomainError
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.workshops import emails
from ep_events.workshops.capacity import add_registration, lock_workshop, places_left, registration_for
from ep_events.workshops.models import Workshop, WorkshopRegistration
from ep_events.workshops.rules import NoPlacesLeft, RegistrationClosed
from ep_events.workshops.waitlist import active_entry, leave_waitlist, offer_freed_places, user_waitlist


def register(workshop: Workshop, user, now: datetime | None = None) -> WorkshopRegistration:
    """Give the signed-in person a place while registration is open and a place is free (counted under the
    workshop's lock, so the last place goes once); one place per person. They are emailed the Teams link and
    the invite."""
    now = now or utcnow()
    lock_workshop(workshop)
    db.session.refresh(workshop)  # its status, capacity and times as they are now, under the lock
    if workshop.status is not EventStatus.PUBLISHED or workshop.starts_at <= now:
        raise DomainError("This workshop is not taking registrations")
    if not workshop.registration_open(now):
        raise RegistrationClosed()
    if registration_for(workshop, user) is not None:
        raise DomainError("You already have a place on this workshop")
    entry = active_entry(workshop, user)
    if entry is not None and entry.status is WaitlistStatus.OFFERED:
        raise DomainError("A place is held for you: accept it from the offer")
    if places_left(workshop) < 1:
        raise NoPlacesLeft()
    registration = add_registration(workshop, user, now)
    if entry is not None:  # a place came free while they waited and nobody was offered it yet
        entry.move_to(WaitlistStatus.BOOKED)
    record_audit(user, "workshop.register", registration, f"{user.email} registered for {workshop.title}")
    return registration


def cancel_registration(registration: WorkshopRegistration, actor, reason: str = "",
                        now: datetime | None = None) -> int:
    """The person cancels their place before the workshop starts: the invite is cancelled (METHOD:CANCEL)
    and the place is offered to the first person waiting. Returns the offers made."""
    now = now or utcnow()
    workshop = registration.event
    lock_workshop(workshop)
    db.session.refresh(registration)
    if not registration.is_confirmed:
        raise DomainError("This place is already cancelled")
    if workshop.starts_at <= now:
        raise DomainError("This workshop has already started, so the place cannot be cancelled")
    registration.cancel(now, actor, (reason or "").strip()[:500])
    db.session.flush()
    if registration.user is not None:
        emails.send_registration_cancelled(registration, "You cancelled your place.")
    record_audit(actor, "workshop.registration.cancel", registration,
                 f"Cancelled a place on {workshop.title}")
    return offer_freed_places(workshop, now)


def user_registrations(user) -> list[WorkshopRegistration]:
    return list(db.session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.user_id == user.id).order_by(WorkshopRegistration.starts_at)).scalars())


def release_person(user, now: datetime | None = None) -> int:
    """Before an account goes: cancel its upcoming places (invites cancelled, places passed to the waiting
    list) and take it off waiting lists. Past places stay, for attendance counts. Returns places cancelled."""
    now = now or utcnow()
    upcoming = [r for r in user_registrations(user)
                if r.status is PlaceStatus.CONFIRMED and r.starts_at > now]
    for registration in upcoming:
        cancel_registration(registration, user, "The person's account was deleted", now=now)
    for entry in user_waitlist(user):
        leave_waitlist(entry, user, now)
    db.session.flush()
    return len(upcoming)
